using System.Text;

namespace Sluice.Schemas.Json;

/// <summary>
/// Turns JSON Pointers into the paths messages show: an instance location as <c>$.address.zip</c> or <c>$.tags[2]</c>
/// (what producers recognise from their records), a schema location as <c>#/properties/age</c> (what schema authors
/// recognise from their schema).
/// </summary>
internal static class JsonPath
{
    /// <summary>A JSON Pointer into an instance (<c>/address/zip</c>) as <c>$.address.zip</c>; the empty pointer is <c>$</c>.</summary>
    public static string FromPointer(string pointer)
    {
        if (pointer.Length == 0)
        {
            return "$";
        }

        var path = new StringBuilder("$");
        foreach (var raw in pointer.AsSpan(1).ToString().Split('/'))
        {
            var segment = UnescapeSegment(raw);
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                path.Append('[').Append(segment).Append(']');
            }
            else if (IsIdentifier(segment))
            {
                path.Append('.').Append(segment);
            }
            else
            {
                path.Append("['").Append(segment.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
            }
        }

        return path.ToString();
    }

    /// <summary>Undoes JSON Pointer escaping (<c>~1</c> is <c>/</c>, <c>~0</c> is <c>~</c>) of one segment.</summary>
    public static string UnescapeSegment(string segment) =>
        segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    /// <summary>Escapes one segment for a JSON Pointer.</summary>
    public static string EscapeSegment(string segment) =>
        segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>A schema location for messages: <c>#</c> and the pointer (<c>#/properties/age</c>).</summary>
    public static string SchemaLocation(string pointer) => "#" + pointer;

    private static bool IsIdentifier(string segment)
    {
        if (segment.Length == 0 || !(char.IsLetter(segment[0]) || segment[0] is '_' or '$'))
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (!(char.IsLetterOrDigit(c) || c is '_' or '$'))
            {
                return false;
            }
        }

        return true;
    }
}
