using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>
/// Confluent's Protobuf compatibility rules (schema-registry's <c>protobuf-provider</c> <c>diff</c> package), applied to
/// resolved descriptors. Confluent compares the writer's schema (the "original") with the reader's (the "update") and
/// lists typed differences; only these are incompatible: PACKAGE_CHANGED, MESSAGE_REMOVED, FIELD_KIND_CHANGED,
/// FIELD_SCALAR_KIND_CHANGED, FIELD_NAMED_TYPE_CHANGED, FIELD_NUMERIC_LABEL_CHANGED, REQUIRED_FIELD_ADDED,
/// REQUIRED_FIELD_REMOVED, ONEOF_FIELD_REMOVED, MULTIPLE_FIELDS_MOVED_TO_ONEOF and FIELD_MOVED_TO_EXISTING_ONEOF.
/// Everything else (fields, messages, enums, enum constants and oneofs added or removed, renames, moves) is compatible,
/// because fields are matched by number and messages by name. Each problem becomes one reason naming message and field.
/// </summary>
internal static class ProtobufCompatibility
{
    private enum Kind
    {
        Scalar,
        Message,
        Map,
    }

    /// <summary>Scalars whose encodings read as one another (Protobuf's "updating a message type" rules); enums count as general numbers.</summary>
    private enum ScalarKind
    {
        GeneralNumber,
        SignedNumber,
        StringOrBytes,
        Fixed32,
        Fixed64,
        Float,
        Double,
    }

    public static IReadOnlyList<string> CanRead(FileDescriptor reader, FileDescriptor writer)
    {
        var reasons = new List<string>();
        if (!string.Equals(reader.Package, writer.Package, StringComparison.Ordinal))
        {
            reasons.Add($"the package is '{writer.Package}' in the writer's schema but '{reader.Package}' in the reader's, so every message's full name changed.");
        }

        var writerMessages = new SortedDictionary<string, MessageDescriptor>(StringComparer.Ordinal);
        var readerMessages = new Dictionary<string, MessageDescriptor>(StringComparer.Ordinal);
        foreach (var message in writer.MessageTypes)
        {
            CollectMessages(message, writer.Package, writerMessages);
        }

        foreach (var message in reader.MessageTypes)
        {
            CollectMessages(message, reader.Package, readerMessages);
        }

        foreach (var (localName, writerMessage) in writerMessages)
        {
            if (readerMessages.TryGetValue(localName, out var readerMessage))
            {
                CompareMessage(readerMessage, writerMessage, reasons);
            }
            else
            {
                reasons.Add($"message '{writerMessage.FullName}' is in the writer's schema but missing from the reader's.");
            }
        }

        return reasons;
    }

    private static void CollectMessages(MessageDescriptor message, string package, IDictionary<string, MessageDescriptor> into)
    {
        if (message.IsMapEntry)
        {
            return;
        }

        into[LocalName(message, package)] = message;
        foreach (var nested in message.NestedTypes)
        {
            CollectMessages(nested, package, into);
        }
    }

    /// <summary>The name without the schema's package: how Confluent pairs messages, so a package change alone is one reason, not one per message.</summary>
    private static string LocalName(MessageDescriptor message, string package) =>
        package.Length > 0 && message.FullName.StartsWith(package + ".", StringComparison.Ordinal)
            ? message.FullName[(package.Length + 1)..]
            : message.FullName;

    private static void CompareMessage(MessageDescriptor reader, MessageDescriptor writer, List<string> reasons)
    {
        var where = $"message '{writer.FullName}'";
        var writerTopLevel = new SortedDictionary<int, FieldDescriptor>();
        var readerTopLevel = new SortedDictionary<int, FieldDescriptor>();
        var writerAll = new SortedDictionary<int, FieldDescriptor>();
        var readerAll = new SortedDictionary<int, FieldDescriptor>();
        foreach (var field in writer.Fields.InFieldNumberOrder())
        {
            writerAll[field.FieldNumber] = field;
            if (field.RealContainingOneof is null)
            {
                writerTopLevel[field.FieldNumber] = field;
            }
        }

        foreach (var field in reader.Fields.InFieldNumberOrder())
        {
            readerAll[field.FieldNumber] = field;
            if (field.RealContainingOneof is null)
            {
                readerTopLevel[field.FieldNumber] = field;
            }
        }

        // Oneofs of the reader that gather fields the writer had outside any oneof: a record that sets two of them
        // would lose one when read (MULTIPLE_FIELDS_MOVED_TO_ONEOF, FIELD_MOVED_TO_EXISTING_ONEOF).
        foreach (var oneof in reader.Oneofs)
        {
            if (oneof.IsSynthetic)
            {
                continue;
            }

            var moved = new List<FieldDescriptor>();
            var existing = 0;
            foreach (var field in oneof.Fields)
            {
                if (writerTopLevel.Remove(field.FieldNumber, out var writerField))
                {
                    moved.Add(writerField);
                }
                else if (writerAll.TryGetValue(field.FieldNumber, out var inWriterOneof) && inWriterOneof.RealContainingOneof is not null)
                {
                    existing++;
                }
            }

            if (moved.Count > 1)
            {
                reasons.Add(
                    $"{where} oneof '{oneof.Name}': fields {string.Join(", ", moved.Select(Describe))} are separate fields in the writer's schema but members of one oneof in the reader's, so a record that sets more than one of them loses data.");
            }
            else if (moved.Count == 1 && existing > 0)
            {
                reasons.Add(
                    $"{where} oneof '{oneof.Name}': field {Describe(moved[0])} moved into a oneof whose other members the writer's schema already had, so a record that sets it and one of them loses data.");
            }
        }

        foreach (var writerOneof in writer.Oneofs)
        {
            if (writerOneof.IsSynthetic)
            {
                continue;
            }

            var readerOneof = reader.Oneofs.FirstOrDefault(o => !o.IsSynthetic && o.Name == writerOneof.Name);
            if (readerOneof is null)
            {
                continue;
            }

            foreach (var writerField in writerOneof.Fields.OrderBy(f => f.FieldNumber))
            {
                var readerField = readerOneof.Fields.FirstOrDefault(f => f.FieldNumber == writerField.FieldNumber);
                if (readerField is not null)
                {
                    CompareField(where, readerField, writerField, reasons);
                }
                else if (!readerAll.ContainsKey(writerField.FieldNumber))
                {
                    reasons.Add($"{where} field {Describe(writerField)}: removed from oneof '{writerOneof.Name}', so a record that set it reads as having none of the oneof set.");
                }
            }
        }

        var tags = new SortedSet<int>(writerTopLevel.Keys);
        tags.UnionWith(readerTopLevel.Keys);
        foreach (var tag in tags)
        {
            var inWriter = writerTopLevel.TryGetValue(tag, out var writerField);
            var inReader = readerTopLevel.TryGetValue(tag, out var readerField);
            if (inWriter && inReader)
            {
                CompareField(where, readerField!, writerField!, reasons);
            }
            else if (inWriter && writerField!.IsRequired && !readerAll.ContainsKey(tag))
            {
                reasons.Add($"{where} field {Describe(writerField)}: required in the writer's schema but missing from the reader's.");
            }
            else if (inReader && readerField!.IsRequired && !writerAll.ContainsKey(tag))
            {
                reasons.Add($"{where} field {Describe(readerField)}: required by the reader's schema but missing from the writer's, so records written without it cannot be read.");
            }
        }

        // Fields whose oneof membership changed are compared by number too, so a type change hidden by a move is caught.
        foreach (var (tag, writerField) in writerAll)
        {
            if (!readerAll.TryGetValue(tag, out var readerField))
            {
                continue;
            }

            var writerOneof = writerField.RealContainingOneof?.Name;
            var readerOneof = readerField.RealContainingOneof?.Name;
            if ((writerOneof is null && readerOneof is null) || (writerOneof is not null && writerOneof == readerOneof))
            {
                continue;
            }

            CompareField(where, readerField, writerField, reasons);
        }
    }

    private static void CompareField(string where, FieldDescriptor reader, FieldDescriptor writer, List<string> reasons)
    {
        var at = $"{where} field {Describe(writer)}";
        var writerKind = KindOf(writer);
        var readerKind = KindOf(reader);
        if (writerKind != readerKind)
        {
            reasons.Add($"{at}: kind changed from {Describe(writerKind, writer)} to {Describe(readerKind, reader)}.");
            return;
        }

        switch (writerKind)
        {
            case Kind.Scalar:
                if (ScalarKindOf(writer) != ScalarKindOf(reader))
                {
                    reasons.Add($"{at}: scalar type changed from {ProtobufWireWalker.TypeName(writer)} to {ProtobufWireWalker.TypeName(reader)}, which do not share an encoding.");
                }
                else if (ScalarKindOf(writer) != ScalarKind.StringOrBytes && LabelOf(writer) != LabelOf(reader))
                {
                    reasons.Add($"{at}: label changed from {LabelOf(writer)} to {LabelOf(reader)}; a numeric field cannot change label, as repeated numbers are packed.");
                }

                break;
            case Kind.Message:
                var writerName = LocalName(writer.MessageType, writer.File.Package);
                var readerName = LocalName(reader.MessageType, reader.File.Package);
                if (!string.Equals(writerName, readerName, StringComparison.Ordinal))
                {
                    reasons.Add($"{at}: message type changed from '{writer.MessageType.FullName}' to '{reader.MessageType.FullName}'.");
                }

                break;
            default:
                CompareMapPart(at, "key", reader.MessageType.Fields[1], writer.MessageType.Fields[1], reasons);
                CompareMapPart(at, "value", reader.MessageType.Fields[2], writer.MessageType.Fields[2], reasons);
                break;
        }
    }

    private static void CompareMapPart(string at, string part, FieldDescriptor reader, FieldDescriptor writer, List<string> reasons)
    {
        var writerKind = KindOf(writer);
        var readerKind = KindOf(reader);
        if (writerKind != readerKind)
        {
            reasons.Add($"{at}: the map's {part} kind changed from {Describe(writerKind, writer)} to {Describe(readerKind, reader)}.");
        }
        else if (writerKind == Kind.Scalar && ScalarKindOf(writer) != ScalarKindOf(reader))
        {
            reasons.Add($"{at}: the map's {part} type changed from {ProtobufWireWalker.TypeName(writer)} to {ProtobufWireWalker.TypeName(reader)}, which do not share an encoding.");
        }
        else if (writerKind == Kind.Message
            && !string.Equals(LocalName(writer.MessageType, writer.File.Package), LocalName(reader.MessageType, reader.File.Package), StringComparison.Ordinal))
        {
            reasons.Add($"{at}: the map's {part} message type changed from '{writer.MessageType.FullName}' to '{reader.MessageType.FullName}'.");
        }
    }

    private static Kind KindOf(FieldDescriptor field) =>
        field.IsMap ? Kind.Map : field.FieldType is FieldType.Message or FieldType.Group ? Kind.Message : Kind.Scalar;

    private static ScalarKind ScalarKindOf(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.SInt32 or FieldType.SInt64 => ScalarKind.SignedNumber,
        FieldType.String or FieldType.Bytes => ScalarKind.StringOrBytes,
        FieldType.Fixed32 or FieldType.SFixed32 => ScalarKind.Fixed32,
        FieldType.Fixed64 or FieldType.SFixed64 => ScalarKind.Fixed64,
        FieldType.Float => ScalarKind.Float,
        FieldType.Double => ScalarKind.Double,
        _ => ScalarKind.GeneralNumber,
    };

    private static string LabelOf(FieldDescriptor field) => field.IsRepeated ? "repeated" : field.IsRequired ? "required" : "optional";

    private static string Describe(FieldDescriptor field) => $"{field.FieldNumber} ('{field.Name}')";

    private static string Describe(Kind kind, FieldDescriptor field) => kind switch
    {
        Kind.Map => $"map<{ProtobufWireWalker.TypeName(field.MessageType.Fields[1])}, {ProtobufWireWalker.TypeName(field.MessageType.Fields[2])}>",
        Kind.Message => $"message '{field.MessageType.FullName}'",
        _ => $"scalar {ProtobufWireWalker.TypeName(field)}",
    };
}
