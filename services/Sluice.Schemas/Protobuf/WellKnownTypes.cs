using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>The well-known types whose JSON form differs from a plain message's (Google.Protobuf keeps its own test internal).</summary>
internal static class WellKnownTypes
{
    private static readonly HashSet<string> Wrappers = new(StringComparer.Ordinal)
    {
        "google.protobuf.DoubleValue",
        "google.protobuf.FloatValue",
        "google.protobuf.Int64Value",
        "google.protobuf.UInt64Value",
        "google.protobuf.Int32Value",
        "google.protobuf.UInt32Value",
        "google.protobuf.BoolValue",
        "google.protobuf.StringValue",
        "google.protobuf.BytesValue",
    };

    /// <summary>True for the wrapper messages, which JSON writes as their one value.</summary>
    public static bool IsWrapper(MessageDescriptor message) => Wrappers.Contains(message.FullName);
}
