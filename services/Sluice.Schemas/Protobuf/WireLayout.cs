using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>
/// What the wire walker needs per message and cannot ask the descriptors cheaply: which fields proto2 requires, and
/// whether strings must be valid UTF-8 (proto3 files, the well-known types included). Built once per schema and only
/// read afterwards, so many threads may use it at once.
/// </summary>
internal sealed class WireLayout
{
    private readonly Dictionary<MessageDescriptor, FieldDescriptor[]> _required = [];
    private readonly FileDescriptor _file;
    private readonly bool _isProto3;

    public WireLayout(FileDescriptor file, bool isProto3)
    {
        _file = file;
        _isProto3 = isProto3;
        foreach (var message in file.MessageTypes)
        {
            Collect(message);
        }
    }

    /// <summary>The fields of <paramref name="message"/> that proto2 marks required; empty for most messages.</summary>
    public FieldDescriptor[] RequiredFields(MessageDescriptor message) =>
        _required.TryGetValue(message, out var fields) ? fields : [];

    /// <summary>True when <paramref name="field"/>'s strings must be valid UTF-8: proto3 enforces it, proto2 does not.</summary>
    public bool ChecksUtf8(FieldDescriptor field) => field.File != _file || _isProto3;

    private void Collect(MessageDescriptor message)
    {
        if (_required.ContainsKey(message))
        {
            return;
        }

        var required = new List<FieldDescriptor>();
        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            if (field.IsRequired)
            {
                required.Add(field);
            }
        }

        _required[message] = [.. required];
        foreach (var nested in message.NestedTypes)
        {
            Collect(nested);
        }
    }
}
