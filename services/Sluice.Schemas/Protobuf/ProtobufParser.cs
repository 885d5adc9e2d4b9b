extern alias ProtobufNet;

using System.Buffers.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using NetReflection = ProtobufNet::Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>
/// Turns a schema text (<c>.proto</c> source, or the base64 of a serialised <c>FileDescriptorProto</c> as Confluent also
/// accepts) into a resolved Google.Protobuf <see cref="FileDescriptor"/>. protobuf-net.Reflection parses the source (it
/// reports errors with line and column, which protoc-less Google.Protobuf cannot); Google.Protobuf then builds the
/// descriptor model the validator, decoder and compatibility check walk.
/// </summary>
internal static class ProtobufParser
{
    private const string SchemaFileName = "schema.proto";
    private const string UnknownError = "unknown error";

    /// <summary>The imports a schema may use: the well-known types Google.Protobuf ships descriptors for, in dependency order.</summary>
    private static readonly FileDescriptor[] WellKnownFiles =
    [
        DescriptorReflection.Descriptor,
        AnyReflection.Descriptor,
        SourceContextReflection.Descriptor,
        TypeReflection.Descriptor,
        ApiReflection.Descriptor,
        DurationReflection.Descriptor,
        EmptyReflection.Descriptor,
        FieldMaskReflection.Descriptor,
        StructReflection.Descriptor,
        TimestampReflection.Descriptor,
        WrappersReflection.Descriptor,
    ];

    /// <summary>Drops unknown fields, such as protobuf-net's own bookkeeping members, so they never reach the canonical form.</summary>
    private static readonly MessageParser<FileDescriptorProto> DescriptorParser = FileDescriptorProto.Parser.WithDiscardUnknownFields(true);

    private static readonly HashSet<string> WellKnownNames = new(WellKnownFiles.Select(f => f.Name), StringComparer.Ordinal);

    /// <summary>Parses <paramref name="text"/>; throws <see cref="SchemaParseException"/> saying what is wrong.</summary>
    public static (FileDescriptorProto Proto, FileDescriptor File) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new SchemaParseException("The Protobuf schema is empty.");
        }

        FileDescriptorProto proto;
        try
        {
            proto = TryParseDescriptor(text) ?? ParseSource(text);
        }
        catch (Exception e) when (e is not SchemaParseException)
        {
            // protobuf-net reports what it understands as errors; anything it throws instead is still bad input.
            throw new SchemaParseException($"The Protobuf schema does not parse: {e.Message}", e);
        }

        CheckImports(proto.Dependency);
        if (proto.MessageType.Count == 0)
        {
            throw new SchemaParseException("The Protobuf schema defines no message: a schema needs at least one message type.");
        }

        Normalise(proto);
        FileDescriptor file;
        try
        {
            var data = new List<ByteString>(WellKnownFiles.Length + 1);
            foreach (var known in WellKnownFiles)
            {
                data.Add(known.SerializedData);
            }

            data.Add(proto.ToByteString());
            file = FileDescriptor.BuildFromByteStrings(data)[^1];
        }
        catch (Exception e)
        {
            // Google.Protobuf refuses what protoc would (duplicate names, unresolved types, bad numbers) with several exception types.
            throw new SchemaParseException($"The Protobuf schema is not valid: {e.Message}", e);
        }

        return (proto, file);
    }

    /// <summary>
    /// Reads <paramref name="text"/> as the base64 of a <c>FileDescriptorProto</c>; null when it is not one (not base64,
    /// not a descriptor, or a descriptor naming nothing), so that the caller reads it as source.
    /// </summary>
    private static FileDescriptorProto? TryParseDescriptor(string text)
    {
        var trimmed = text.Trim();
        if (!Base64.IsValid(trimmed, out var length) || length == 0)
        {
            return null;
        }

        try
        {
            var proto = DescriptorParser.ParseFrom(Convert.FromBase64String(trimmed));
            return proto.HasName || proto.MessageType.Count > 0 ? proto : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static FileDescriptorProto ParseSource(string text)
    {
        var set = new NetReflection.FileDescriptorSet
        {
            FileSystem = new NoFileSystem(),
            // Unknown imports are reported below, in one sentence that says why, before protobuf-net's "not found".
            ImportValidator = _ => true,
        };
        using (var reader = new StringReader(text))
        {
            set.Add(SchemaFileName, true, reader);
        }

        set.Process();
        var parsed = set.Files.Single(f => f.Name == SchemaFileName);
        CheckImports(parsed.Dependencies);

        var errors = set.GetErrors().Where(e => e.IsError).ToList();
        // protobuf-net follows a real error with a generic "unknown error" at the same place; it says nothing more.
        if (errors.Any(e => e.Message != UnknownError))
        {
            errors.RemoveAll(e => e.Message == UnknownError);
        }

        if (errors.Count > 0)
        {
            var described = string.Join("; ", errors.Select(e => $"line {e.LineNumber}, column {e.ColumnNumber}: {e.Message}"));
            throw new SchemaParseException($"The Protobuf schema does not parse: {described}");
        }

        using var buffer = new MemoryStream();
        NetReflection.FileDescriptorSet.Serializer.Serialize(buffer, parsed);
        return DescriptorParser.ParseFrom(buffer.ToArray());
    }

    private static void CheckImports(IEnumerable<string> dependencies)
    {
        foreach (var dependency in dependencies)
        {
            if (!WellKnownNames.Contains(dependency))
            {
                throw new SchemaParseException(
                    $"The Protobuf schema imports '{dependency}': Sluice does not support schema references; only the well-known types (google/protobuf/*.proto) may be imported.");
            }
        }
    }

    /// <summary>
    /// Removes what does not change the schema's meaning, so that source text and a protoc-made descriptor of the same
    /// schema have one canonical form: the file name, source positions, unknown fields (protobuf-net's own extras),
    /// and json_name where it is the default protoc would derive.
    /// </summary>
    private static void Normalise(FileDescriptorProto proto)
    {
        proto.Name = SchemaFileName;
        proto.SourceCodeInfo = null;
        if (proto.Syntax == "proto2")
        {
            proto.ClearSyntax();
        }

        foreach (var message in proto.MessageType)
        {
            Normalise(message);
        }
    }

    private static void Normalise(DescriptorProto message)
    {
        foreach (var field in message.Field)
        {
            if (field.HasJsonName && field.JsonName == DefaultJsonName(field.Name))
            {
                field.ClearJsonName();
            }
        }

        foreach (var nested in message.NestedType)
        {
            Normalise(nested);
        }
    }

    /// <summary>protoc's default JSON name: lowerCamelCase of the field name, underscores dropped.</summary>
    internal static string DefaultJsonName(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length);
        var upperNext = false;
        foreach (var c in name)
        {
            if (c == '_')
            {
                upperNext = true;
            }
            else if (upperNext)
            {
                builder.Append(char.ToUpperInvariant(c));
                upperNext = false;
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A file system with no files: a schema is one text, and parsing it must never read the server's disk.</summary>
    private sealed class NoFileSystem : NetReflection.IFileSystem
    {
        public bool Exists(string path) => false;

        public TextReader? OpenText(string path) => null;
    }
}
