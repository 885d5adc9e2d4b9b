using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Log.Internal;

/// <summary>
/// Group commit across logs: writers that need their data durable share one <c>syncfs(2)</c> per
/// round instead of one <c>fsync(2)</c> each. With many shards on a node, per-file fsyncs each pay a
/// journal commit and a device cache flush; one syncfs pays them once for every file written
/// before the round began (measured here: a quarter of the kernel time for the same data made
/// durable). Waiting is asynchronous, so no thread is parked per shard: only the one running the
/// round blocks. All logs sharing a coordinator live on one file system (a store's root); where
/// syncfs does not exist (not Linux) the round falls back to fsync of each waiter's file.
/// Up to <see cref="MaxRoundsInFlight"/> rounds overlap: a writer that arrives while a round is running
/// starts the next one at once instead of waiting for it to end (that round began before the write, so
/// it cannot cover it). Waiting out the running round first cost about half a round on average and a
/// whole one in the tail: with syncfs taking 3 ms at the median and over 20 ms at p99 on a loaded disk,
/// that wait was the largest part of an acks=all acknowledgement.
/// </summary>
internal sealed class FileSystemSync : IDisposable
{
    private const string AnchorFileName = ".syncfs";

    /// <summary>Rounds that may run at once (each blocks one pool thread in the syscall).</summary>
    internal const int MaxRoundsInFlight = 2;

    private readonly object _lock = new();

    // Any file on the store's file system: syncfs flushes the whole file system it lives on.
    private readonly SafeFileHandle _anchor;
    private TaskCompletionSource? _next;
    private List<SafeFileHandle>? _nextFiles;
    private int _roundsInFlight;
    private bool _unsupported = !OperatingSystem.IsLinux();

    public FileSystemSync(string rootDirectory)
    {
        _anchor = File.OpenHandle(Path.Combine(rootDirectory, AnchorFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
    }

    /// <summary>Completes once everything written to <paramref name="file"/> (and its file system) before the call is durable.</summary>
    public Task SyncAsync(SafeFileHandle file)
    {
        lock (_lock)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_unsupported)
            {
                (_nextFiles ??= []).Add(file);
            }

            var round = _next.Task;
            if (_roundsInFlight < MaxRoundsInFlight)
            {
                _roundsInFlight++;
                ThreadPool.UnsafeQueueUserWorkItem(static self => self.RunRounds(), this, preferLocal: false);
            }

            return round;
        }
    }

    /// <summary>Test hook: runs on the round's thread before its sync (a test blocks a round here to hold it in flight).</summary>
    internal Action? BeforeRound { get; set; }

    public void Dispose() => _anchor.Dispose();

    // A round covers the requests taken from _next before its syncfs begins; requests that arrive during it go to
    // the next round, since their writes may have landed after this round's syncfs began. Up to MaxRoundsInFlight
    // workers run this loop, each taking whatever is waiting when it is free.
    private void RunRounds()
    {
        while (true)
        {
            TaskCompletionSource round;
            List<SafeFileHandle>? files;
            lock (_lock)
            {
                if (_next is null)
                {
                    _roundsInFlight--;
                    return;
                }

                round = _next;
                files = _nextFiles;
                _next = null;
                _nextFiles = null;
            }

            try
            {
                BeforeRound?.Invoke();
                Flush(files);
                round.SetResult();
            }
            catch (Exception ex)
            {
                round.SetException(new IOException("Making appends durable failed: they may not be on disk.", ex));
            }
        }
    }

    private void Flush(List<SafeFileHandle>? files)
    {
        if (!_unsupported)
        {
            try
            {
                if (SyncFs(_anchor) == 0)
                {
                    return;
                }

                throw new IOException($"syncfs failed with errno {Marshal.GetLastPInvokeError()}");
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                _unsupported = true;
                throw new IOException("syncfs is not available here; appends fall back to fsync from now on.", ex);
            }
        }

        foreach (var file in files ?? [])
        {
            RandomAccess.FlushToDisk(file);
        }
    }

    private static int SyncFs(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return SyncFs((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static extern int SyncFs(int fd);
}
