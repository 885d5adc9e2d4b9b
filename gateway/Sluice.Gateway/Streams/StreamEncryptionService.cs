using Sluice.Core;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Streams;

/// <summary>
/// Starts and stops encryption at rest of a stream, for every face (Kinesis Start/StopStreamEncryption, REST, gRPC).
/// Starting the first time creates the stream's data key and stores it wrapped by the master key; it is kept when
/// encryption stops, so the records sealed meanwhile stay readable. The storage nodes hear of the change through the
/// shard-change channel; appends through this gateway carry the new state at once (see the storage contract's
/// <c>ShardAppend.encryption</c>), so every record written after the call answered follows it.
/// </summary>
internal sealed class StreamEncryptionService(StreamService streams, StreamDataKeys dataKeys)
{
    /// <summary>The key id REST and gRPC record when the caller names none: Kinesis' AWS-managed key alias.</summary>
    public const string DefaultKeyId = "alias/aws/kinesis";

    /// <summary>Longest key id Kinesis accepts.</summary>
    public const int MaxKeyIdLength = 2048;

    /// <summary>Starts encrypting new records of the stream under <paramref name="keyId"/> (a label kept as given).</summary>
    public Task StartAsync(Tenant tenant, string name, string keyId, CancellationToken cancellationToken = default)
    {
        ValidateKeyId(keyId);
        return streams.UpdateAndAnnounceAsync(tenant, name, stream =>
        {
            stream.EncryptedDataKey ??= dataKeys.CreateWrapped(stream.Id);
            stream.Encryption = StreamEncryption.Kms;
            stream.EncryptionKeyId = keyId;
        }, cancellationToken);
    }

    /// <summary>
    /// Stops encrypting new records; those written encrypted stay so (and readable). <paramref name="check"/> runs
    /// first on the stored stream and may refuse by throwing (Kinesis: the key id must match).
    /// </summary>
    public Task StopAsync(Tenant tenant, string name, Action<StreamDefinition>? check = null, CancellationToken cancellationToken = default) =>
        streams.UpdateAndAnnounceAsync(tenant, name, stream =>
        {
            check?.Invoke(stream);
            stream.Encryption = StreamEncryption.None;
            stream.EncryptionKeyId = null;
        }, cancellationToken);

    /// <summary>Throws <see cref="SluiceException"/> (invalid argument) for a key id Kinesis would refuse.</summary>
    public static void ValidateKeyId(string? keyId)
    {
        if (string.IsNullOrEmpty(keyId) || keyId.Length > MaxKeyIdLength || keyId.Any(char.IsControl))
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"The key id must be 1 to {MaxKeyIdLength} characters without control characters.");
        }
    }
}
