using System.Threading.Tasks.Sources;

namespace Sluice.Log.Internal;

/// <summary>
/// One queued append and the awaitable its caller holds. Pooled and completed through
/// <see cref="ManualResetValueTaskSourceCore{TResult}"/>, so an append allocates nothing of its own on the way
/// through the queue. Continuations always run asynchronously: the writer loop must never run caller code.
/// <para>
/// Three kinds: records to encode (<see cref="Records"/>), pre-encoded bodies (<see cref="Encoded"/>), and whole
/// batches replicated from a leader (<see cref="Replicated"/>), written verbatim. A replicated append is awaited as a
/// <see cref="ValueTask{TResult}"/> of the new log end offset through the <see cref="IValueTaskSource{TResult}"/> of
/// <see cref="long"/>.
/// </para>
/// </summary>
internal sealed class AppendRequest : IValueTaskSource<AppendResult>, IValueTaskSource<long>
{
    private readonly AppendRequestPool _pool;
    private ManualResetValueTaskSourceCore<AppendResult> _core;

    public AppendRequest(AppendRequestPool pool)
    {
        _pool = pool;
        // Appenders resume on the writer's thread right after their group commit: a continuation is short (build a
        // reply) and a hop to another thread per append costs more than it does.
        _core.RunContinuationsAsynchronously = false;
    }

    public IReadOnlyList<LogRecord> Records { get; private set; } = [];

    /// <summary>Pre-encoded record bodies (<see cref="RecordBody"/>); used instead of <see cref="Records"/> when set.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? Encoded { get; private set; }

    /// <summary>Whole, already validated batches from a leader; used instead of the others when <see cref="IsReplicated"/>.</summary>
    public ReadOnlyMemory<byte> Replicated { get; private set; }

    public bool IsReplicated { get; private set; }

    /// <summary>The cipher the batch is sealed with (chosen, and measured for, when the append was accepted); null for plain.</summary>
    public BatchCipher? Cipher { get; private set; }

    /// <summary>Producer fields for the batch header of an encoded append.</summary>
    public ProducerBatch Producer { get; private set; } = ProducerBatch.None;

    /// <summary>Records in this append, whichever way they came.</summary>
    public int RecordCount { get; private set; }

    public int LeaderEpoch { get; private set; }

    /// <summary>Encoded size, measured when the append was accepted.</summary>
    public int BatchLength { get; private set; }

    public CancellationToken CancellationToken { get; private set; }

    // Filled in by the writer while it builds a group commit.
    public long BaseOffset { get; set; }

    public long TimestampMs { get; set; }

    public long Position { get; set; }

    /// <summary>Set by the writer when the append cannot go where the log now ends (fencing, offset mismatch).</summary>
    public Exception? Rejection { get; set; }

    public void Initialize(IReadOnlyList<LogRecord> records, int leaderEpoch, int batchLength, BatchCipher? cipher, CancellationToken cancellationToken)
    {
        Cipher = cipher;
        Records = records;
        Encoded = null;
        Replicated = default;
        IsReplicated = false;
        Producer = ProducerBatch.None;
        Rejection = null;
        RecordCount = records.Count;
        LeaderEpoch = leaderEpoch;
        BatchLength = batchLength;
        CancellationToken = cancellationToken;
        BaseOffset = -1;
    }

    public void InitializeEncoded(
        IReadOnlyList<ReadOnlyMemory<byte>> chunks, int recordCount, int leaderEpoch, ProducerBatch producer, int batchLength, BatchCipher? cipher,
        CancellationToken cancellationToken)
    {
        Cipher = cipher;
        Records = [];
        Encoded = chunks;
        Replicated = default;
        IsReplicated = false;
        Producer = producer;
        Rejection = null;
        RecordCount = recordCount;
        LeaderEpoch = leaderEpoch;
        BatchLength = batchLength;
        CancellationToken = cancellationToken;
        BaseOffset = -1;
    }

    /// <summary>A replicated append: <paramref name="batches"/> were validated by the caller; <paramref name="leaderEpoch"/> is the first batch's.</summary>
    public void InitializeReplicated(ReadOnlyMemory<byte> batches, int recordCount, int leaderEpoch, CancellationToken cancellationToken)
    {
        Cipher = null;
        Records = [];
        Encoded = null;
        Replicated = batches;
        IsReplicated = true;
        Producer = ProducerBatch.None;
        Rejection = null;
        RecordCount = recordCount;
        LeaderEpoch = leaderEpoch;
        BatchLength = batches.Length;
        CancellationToken = cancellationToken;
        BaseOffset = -1;
    }

    public ValueTask<AppendResult> AsValueTask() => new(this, _core.Version);

    /// <summary>The awaitable of a replicated append: the log end offset once it completed.</summary>
    public ValueTask<long> AsEndOffsetValueTask() => new(this, _core.Version);

    public void Complete(AppendResult result) => _core.SetResult(result);

    public void Fail(Exception exception) => _core.SetException(exception);

    /// <summary>Returns a request that was never handed to its caller as an awaitable.</summary>
    public void Recycle()
    {
        Records = [];
        Encoded = null;
        Replicated = default;
        Cipher = null;
        Rejection = null;
        CancellationToken = default;
        _core.Reset();
        _pool.Return(this);
    }

    public AppendResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // The caller has the result; drop the references to its records before the object is reused.
            Recycle();
        }
    }

    long IValueTaskSource<long>.GetResult(short token) => GetResult(token).LogEndOffset;

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
