using System.Text;
using Sluice.Schemas;

namespace Sluice.Gateway.Tests.Schemas;

/// <summary>Record bytes for the tests: Confluent wire format with a schema id, or plain text.</summary>
internal static class Records
{
    public static byte[] Wire(int schemaId, string payload)
    {
        var bytes = new byte[ConfluentWire.HeaderLength + Encoding.UTF8.GetByteCount(payload)];
        ConfluentWire.WriteHeader(bytes, schemaId);
        Encoding.UTF8.GetBytes(payload, bytes.AsSpan(ConfluentWire.HeaderLength));
        return bytes;
    }

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);
}
