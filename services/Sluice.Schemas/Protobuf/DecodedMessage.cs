using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>
/// A message read off the wire by <see cref="ProtobufDecoder"/>: each present field's values by number, in the order
/// read. JSON output needs this intermediate step because a repeated field's values may be spread over the record and a
/// singular field's last value wins.
/// </summary>
internal sealed class DecodedMessage
{
    public DecodedMessage(MessageDescriptor descriptor)
    {
        Descriptor = descriptor;
    }

    public MessageDescriptor Descriptor { get; }

    /// <summary>Values are boxed scalars (int, long, uint, ulong, float, double, bool), strings, byte arrays or nested messages.</summary>
    public Dictionary<int, List<object>> Fields { get; } = [];

    /// <summary>Records <paramref name="value"/> for <paramref name="field"/>: appended when repeated, else replacing (and clearing the other members of its oneof).</summary>
    public void Set(FieldDescriptor field, object value)
    {
        if (field.IsRepeated)
        {
            Values(field).Add(value);
            return;
        }

        ClearOneofSiblings(field);
        var values = Values(field);
        values.Clear();
        values.Add(value);
    }

    /// <summary>The nested message a field's next occurrence fills: a new one for repeated fields and maps, the existing one for a singular field (Protobuf merges repeated occurrences of a message).</summary>
    public DecodedMessage Child(FieldDescriptor field)
    {
        if (!field.IsRepeated)
        {
            ClearOneofSiblings(field);
            var existing = Values(field);
            if (existing.Count == 1 && existing[0] is DecodedMessage message)
            {
                return message;
            }

            existing.Clear();
        }

        var child = new DecodedMessage(field.MessageType);
        Values(field).Add(child);
        return child;
    }

    private List<object> Values(FieldDescriptor field)
    {
        if (!Fields.TryGetValue(field.FieldNumber, out var values))
        {
            values = [];
            Fields[field.FieldNumber] = values;
        }

        return values;
    }

    private void ClearOneofSiblings(FieldDescriptor field)
    {
        if (field.RealContainingOneof is not { } oneof)
        {
            return;
        }

        foreach (var sibling in oneof.Fields)
        {
            if (sibling != field)
            {
                Fields.Remove(sibling.FieldNumber);
            }
        }
    }
}
