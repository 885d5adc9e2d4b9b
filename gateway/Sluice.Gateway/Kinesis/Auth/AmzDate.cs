using System.Globalization;

namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>SigV4 request times: ISO 8601 basic format (<c>20150830T123600Z</c>), or an HTTP Date header.</summary>
internal static class AmzDate
{
    public const int Length = 16;
    public const int DateLength = 8;

    private const string BasicFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const DateTimeStyles Utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

    public static bool TryParseBasic(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, BasicFormat, CultureInfo.InvariantCulture, Utc, out time) && text.Length == Length;

    /// <summary>A Date header: the basic format, or RFC 1123 (<c>Sun, 30 Aug 2015 12:36:00 GMT</c>).</summary>
    public static bool TryParseHttpDate(string text, out DateTimeOffset time) =>
        TryParseBasic(text, out time) || DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, Utc, out time);

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(BasicFormat, CultureInfo.InvariantCulture);
}
