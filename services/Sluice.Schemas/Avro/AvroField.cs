using System.Text.Json;

namespace Sluice.Schemas.Avro;

/// <summary>A record field of a parsed Avro schema: what resolution, validation and the canonical form need of it.</summary>
internal sealed class AvroField
{
    public AvroField(string name, int position, AvroNode type, JsonElement? defaultValue, string[] aliases, string order)
    {
        Name = name;
        Position = position;
        Type = type;
        Default = defaultValue;
        Aliases = aliases;
        Order = order;
    }

    public string Name { get; }

    public int Position { get; }

    public AvroNode Type { get; }

    /// <summary>The default as written in the schema (a detached clone), or null when the field has none (a JSON <c>null</c> default is a value).</summary>
    public JsonElement? Default { get; }

    public bool HasDefault => Default.HasValue;

    /// <summary>Names a reader field also answers to when matching a writer's field.</summary>
    public string[] Aliases { get; }

    /// <summary>The sort order: <c>ascending</c> (the default), <c>descending</c> or <c>ignore</c>.</summary>
    public string Order { get; }
}
