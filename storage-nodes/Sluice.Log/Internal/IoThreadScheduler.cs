using System.Collections.Concurrent;

namespace Sluice.Log.Internal;

/// <summary>
/// A small set of dedicated threads for the log writers' blocking work (positional writes and
/// fsync). Running those on the shared thread pool would park pool threads in the kernel, and with
/// many shards per node the pool starves: requests queue behind fsyncs they do not need. Here many
/// logs share a few threads, and fsyncs of different logs still run in parallel.
/// </summary>
// The scheduler lives as long as the process; its threads are background threads.
#pragma warning disable CA1001
internal sealed class IoThreadScheduler : TaskScheduler
#pragma warning restore CA1001
{
    private const int MinThreads = 4;
    private const int ThreadsPerCore = 2;

    private readonly BlockingCollection<Task> _tasks = new();

    private IoThreadScheduler(int threads)
    {
        for (var i = 0; i < threads; i++)
        {
            new Thread(Run) { IsBackground = true, Name = $"sluice-log-io-{i}" }.Start();
        }

        MaximumConcurrencyLevel = threads;
    }

    /// <summary>The process-wide scheduler all logs share.</summary>
    public static IoThreadScheduler Shared { get; } = new(Math.Max(MinThreads, Environment.ProcessorCount * ThreadsPerCore));

    public override int MaximumConcurrencyLevel { get; }

    /// <summary>Runs <paramref name="action"/> on an I/O thread.</summary>
    public Task Run(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this);

    protected override void QueueTask(Task task) => _tasks.Add(task);

    // Inlining would run blocking I/O on whatever thread awaits: never.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => _tasks.ToArray();

    private void Run()
    {
        foreach (var task in _tasks.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
