using Google.Protobuf;

namespace Sluice.Gateway.Records;

/// <summary>One record of a put, as any face hands it over. <paramref name="InputError"/> marks a record the face could not even decode (bad base64).</summary>
public readonly record struct PutEntry(string? PartitionKey, ByteString Data, string? ExplicitHashKey, string? InputError = null);
