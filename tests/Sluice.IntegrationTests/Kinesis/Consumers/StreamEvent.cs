using System.Text.Json.Nodes;

namespace Sluice.IntegrationTests.Kinesis.Consumers;

/// <summary>One event-stream message of a SubscribeToShard response, as the tests' own reader decoded it.</summary>
internal sealed record StreamEvent(IReadOnlyDictionary<string, string> Headers, byte[] Payload)
{
    public string? MessageType => Headers.GetValueOrDefault(":message-type");

    public string? EventType => Headers.GetValueOrDefault(":event-type");

    public string? ExceptionType => Headers.GetValueOrDefault(":exception-type");

    public bool IsRecordsEvent => MessageType == "event" && EventType == "SubscribeToShardEvent";

    /// <summary>The payload as JSON (for a JSON request).</summary>
    public JsonNode Json => JsonNode.Parse(Payload) ?? new JsonObject();

    public JsonArray Records => Json[nameof(Records)]!.AsArray();

    public string? Continuation => (string?)Json["ContinuationSequenceNumber"];
}
