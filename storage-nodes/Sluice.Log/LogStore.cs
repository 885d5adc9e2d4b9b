using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Log.Internal;

namespace Sluice.Log;

/// <summary>
/// The partition logs of one data directory, each addressed by a relative name such as <c>"42/7"</c> (stream id /
/// shard index) that maps to a sub-directory. Opens each log once and closes them all on dispose.
/// </summary>
public sealed class LogStore : IAsyncDisposable
{
    private const char NameSeparator = '/';

    private readonly LogOptions _defaults;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly FileSystemSync _sync;
    private readonly Dictionary<string, Lazy<PartitionLog>> _logs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deleting = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Creates a store over <paramref name="rootDirectory"/> (created if missing).</summary>
    public LogStore(string rootDirectory, LogOptions defaults, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        ArgumentNullException.ThrowIfNull(defaults);
        defaults.Validate();
        RootDirectory = Path.GetFullPath(rootDirectory);
        Directory.CreateDirectory(RootDirectory);
        _defaults = defaults;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<LogStore>();
        _time = timeProvider ?? TimeProvider.System;
        _sync = new FileSystemSync(RootDirectory);
    }

    /// <summary>Full path of the data directory.</summary>
    public string RootDirectory { get; }

    /// <summary>
    /// Returns the open log called <paramref name="name"/>, opening (and recovering, or creating) it on first use.
    /// Thread-safe; concurrent callers share one open. <paramref name="options"/> apply only to that first open.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a relative path of letters, digits, '-', '_' and '.' parts separated by '/'.</exception>
    public PartitionLog GetOrOpen(string name, LogOptions? options = null)
    {
        var path = ResolvePath(name);
        Lazy<PartitionLog> lazy;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_deleting.Contains(name))
            {
                throw new InvalidOperationException($"Log '{name}' is being deleted.");
            }

            if (!_logs.TryGetValue(name, out var existing))
            {
                var logOptions = options ?? _defaults;
                existing = new Lazy<PartitionLog>(
                    () => PartitionLog.Open(path, logOptions, _loggerFactory.CreateLogger<PartitionLog>(), _time, logOptions.SyncMode == SyncMode.FileSystem ? _sync : null),
                    LazyThreadSafetyMode.ExecutionAndPublication);
                _logs.Add(name, existing);
            }

            lazy = existing;
        }

        // Opened outside the store lock: recovery of one log must not hold up every other.
        try
        {
            return lazy.Value;
        }
        catch
        {
            lock (_lock)
            {
                // Let the next caller try again instead of replaying a cached failure forever.
                if (_logs.TryGetValue(name, out var current) && ReferenceEquals(current, lazy))
                {
                    _logs.Remove(name);
                }
            }

            throw;
        }
    }

    /// <summary>
    /// fsyncs the directory of the log called <paramref name="name"/> and every directory above it up
    /// to the root, so that a log created just before survives a crash: creating its first segment
    /// syncs the log's own directory, not the entries of that directory in its parents.
    /// </summary>
    public void FlushDirectories(string name)
    {
        var directory = ResolvePath(name);
        while (directory is not null && directory.Length >= RootDirectory.Length && directory.StartsWith(RootDirectory, StringComparison.Ordinal))
        {
            DirectorySync.Flush(directory, _logger);
            directory = Path.GetDirectoryName(directory);
        }
    }

    /// <summary>The log called <paramref name="name"/> if it is open (this does not open it).</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out PartitionLog? log)
    {
        Lazy<PartitionLog>? lazy;
        lock (_lock)
        {
            _logs.TryGetValue(name, out lazy);
        }

        if (lazy is { IsValueCreated: true })
        {
            log = lazy.Value;
            return true;
        }

        log = null;
        return false;
    }

    /// <summary>Names of the logs present on disk (directories holding segment files), open or not, sorted.</summary>
    public IReadOnlyCollection<string> ListOnDisk()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories(RootDirectory, "*", SearchOption.AllDirectories))
        {
            if (Directory.EnumerateFiles(directory, "*" + Segment.LogExtension).Any(static f => Segment.TryParseLogFileName(Path.GetFileName(f), out _)))
            {
                names.Add(Path.GetRelativePath(RootDirectory, directory).Replace(Path.DirectorySeparatorChar, NameSeparator));
            }
        }

        return names;
    }

    /// <summary>Closes the log (if open) and removes its directory, and any parent directories left empty.</summary>
    public async ValueTask DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = ResolvePath(name);
        Lazy<PartitionLog>? lazy;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_deleting.Add(name))
            {
                throw new InvalidOperationException($"Log '{name}' is already being deleted.");
            }

            _logs.Remove(name, out lazy);
        }

        try
        {
            if (lazy is { IsValueCreated: true })
            {
                await lazy.Value.DisposeAsync().ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }

            RemoveEmptyParents(path);
            _logger.LogDeleted(name, path);
        }
        finally
        {
            lock (_lock)
            {
                _deleting.Remove(name);
            }
        }
    }

    /// <summary>Applies retention to every open log; returns the total number of segments deleted.</summary>
    public async ValueTask<int> EnforceRetentionAsync(CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var log in OpenLogs())
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                deleted += await log.EnforceRetentionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // deleted concurrently
            }
        }

        return deleted;
    }

    /// <summary>Closes every open log.</summary>
    public async ValueTask DisposeAsync()
    {
        List<PartitionLog> logs;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            logs = OpenLogsLocked();
            _logs.Clear();
        }

        List<Exception>? errors = null;
        foreach (var log in logs)
        {
            try
            {
                await log.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                (errors ??= []).Add(ex);
            }
        }

        _sync.Dispose();
        if (errors is not null)
        {
            throw new AggregateException("Some logs failed to close.", errors);
        }
    }

    private List<PartitionLog> OpenLogs()
    {
        lock (_lock)
        {
            return OpenLogsLocked();
        }
    }

    private List<PartitionLog> OpenLogsLocked()
    {
        var logs = new List<PartitionLog>(_logs.Count);
        foreach (var lazy in _logs.Values)
        {
            if (lazy.IsValueCreated)
            {
                logs.Add(lazy.Value);
            }
        }

        return logs;
    }

    private string ResolvePath(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var part in name.Split(NameSeparator))
        {
            if (part.Length == 0 || part == "." || part == ".." || !part.All(IsNameChar))
            {
                throw new ArgumentException(
                    $"Log name '{name}' must be '/'-separated parts of letters, digits, '-', '_' and '.'.", nameof(name));
            }
        }

        return Path.Combine(RootDirectory, name.Replace(NameSeparator, Path.DirectorySeparatorChar));
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private void RemoveEmptyParents(string path)
    {
        var parent = Path.GetDirectoryName(path);
        while (parent is not null && parent.Length > RootDirectory.Length && parent.StartsWith(RootDirectory, StringComparison.Ordinal))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(parent).Any())
                {
                    return;
                }

                Directory.Delete(parent);
            }
            catch (IOException)
            {
                return; // someone created something meanwhile
            }

            parent = Path.GetDirectoryName(parent);
        }
    }
}
