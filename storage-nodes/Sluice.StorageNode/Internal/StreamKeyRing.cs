using System.Collections.Concurrent;
using System.Security.Cryptography;
using Sluice.Log;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.StorageNode.Internal;

/// <summary>
/// Turns the encryption settings a shard assignment carries (the stream's wrapped data key and whether encryption is
/// on) into the <see cref="LogEncryption"/> its log works with. Unwraps each stream's data key once, with the master
/// key from <c>Sluice:Security</c> (the gateway's), and keeps one <see cref="BatchCipher"/> per stream for every shard
/// of it. A node without a master key can still serve streams that never had encryption.
/// </summary>
internal sealed partial class StreamKeyRing(SecretProtectionOptions protection, ILogger<StreamKeyRing> logger)
{
    /// <summary>
    /// The key version every batch of a stream is sealed under: the data key never changes (a master key rotation
    /// rewraps it), so it is always the first; the field in each batch leaves room for rotating data keys.
    /// </summary>
    public const int DataKeyVersion = 1;

    private readonly StreamDataKeys? _dataKeys = string.IsNullOrEmpty(protection.MasterKey) ? null : new StreamDataKeys(protection);
    private readonly ConcurrentDictionary<long, StreamKeys> _streams = new();
    private readonly ConcurrentDictionary<long, byte> _warned = new();

    /// <summary>
    /// The keys a log of <paramref name="assignment"/>'s stream needs: none before encryption was ever started,
    /// otherwise the stream's key, used for new batches while encryption is on. <paramref name="problem"/> says why the
    /// key is missing when it cannot be had (no master key here, or it does not unwrap); the result then has no key.
    /// </summary>
    public LogEncryption For(ShardAssignment assignment, out string? problem)
    {
        problem = null;
        if (assignment.EncryptedDataKey is not { } wrapped)
        {
            if (assignment.Encryption == StreamEncryption.Kms)
            {
                problem = $"stream {assignment.StreamId} is encrypted but has no data key";
            }

            return LogEncryption.None;
        }

        if (!_streams.TryGetValue(assignment.StreamId, out var keys) || !keys.Wrapped.AsSpan().SequenceEqual(wrapped))
        {
            if (_dataKeys is null)
            {
                problem = $"this node has no master key ({SecretProtectionOptions.Section}:{nameof(SecretProtectionOptions.MasterKey)}) to unwrap the data key of stream {assignment.StreamId}";
                Warn(assignment.StreamId, problem);
                return LogEncryption.None;
            }

            byte[] key;
            try
            {
                key = _dataKeys.Unwrap(assignment.StreamId, wrapped);
            }
            catch (CryptographicException ex)
            {
                problem = $"the data key of stream {assignment.StreamId} does not unwrap with this node's master key: {ex.Message}";
                Warn(assignment.StreamId, problem);
                return LogEncryption.None;
            }

            try
            {
                // A replaced cipher is left to the collector, not disposed: a read may still be using it.
                var cipher = new BatchCipher(DataKeyVersion, key);
                keys = new StreamKeys(wrapped, new LogEncryption([cipher], null), new LogEncryption([cipher], cipher));
                _streams[assignment.StreamId] = keys;
                _warned.TryRemove(assignment.StreamId, out _);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }

        return assignment.Encryption == StreamEncryption.Kms ? keys.Writing : keys.Reading;
    }

    /// <summary>Forgets a deleted stream's key.</summary>
    public void Forget(long streamId) => _streams.TryRemove(streamId, out _);

    private void Warn(long streamId, string problem)
    {
        if (_warned.TryAdd(streamId, 0))
        {
            LogKeyUnavailable(logger, streamId, problem);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Encrypted records of stream {StreamId} can be neither written nor read here: {Problem}")]
    private static partial void LogKeyUnavailable(ILogger logger, long streamId, string problem);

    private sealed record StreamKeys(byte[] Wrapped, LogEncryption Reading, LogEncryption Writing);
}
