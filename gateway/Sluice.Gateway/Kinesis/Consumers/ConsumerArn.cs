using System.Globalization;
using System.Text.RegularExpressions;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>
/// A consumer's ARN, as Kinesis makes it: the stream's ARN, <c>/consumer/</c>, the consumer's name
/// and its registration time in epoch seconds, e.g.
/// <c>arn:aws:kinesis:us-east-1:123456789012:stream/clicks/consumer/billing:1764042000</c>. The time
/// tells apart consumers of one name registered, deregistered and registered again.
/// </summary>
internal readonly partial record struct ConsumerArn(string AccountId, string StreamName, string ConsumerName, long CreatedEpochSeconds)
{
    /// <summary>Kinesis' constraint on the ConsumerARN member.</summary>
    public const string Pattern = "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+";

    /// <summary>Kinesis' constraint on a StreamARN member.</summary>
    public const string StreamArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";

    /// <summary>Kinesis' constraint on the ConsumerName member.</summary>
    public const string NamePattern = "[a-zA-Z0-9_.-]+";

    public static string Format(KinesisCall call, string streamName, string consumerName, DateTimeOffset createdAt) =>
        string.Create(CultureInfo.InvariantCulture, $"{call.StreamArn(streamName)}/consumer/{consumerName}:{createdAt.ToUnixTimeSeconds()}");

    /// <summary>Reads an ARN of this form; false for anything else (another service, a malformed name).</summary>
    public static bool TryParse(string? arn, out ConsumerArn parsed)
    {
        parsed = default;
        var match = arn is null ? Match.Empty : ParsedRegex().Match(arn);
        if (!match.Success || !long.TryParse(match.Groups["created"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var created))
        {
            return false;
        }

        parsed = new ConsumerArn(match.Groups["account"].Value, match.Groups["stream"].Value, match.Groups["consumer"].Value, created);
        return true;
    }

    [GeneratedRegex("^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+")]
    public static partial Regex PatternRegex();

    [GeneratedRegex("^arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+$")]
    public static partial Regex StreamArnRegex();

    [GeneratedRegex("^[a-zA-Z0-9_.-]+$")]
    public static partial Regex NameRegex();

    [GeneratedRegex("^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:(?<account>[0-9]{12}):stream/(?<stream>[a-zA-Z0-9_.-]{1,128})/consumer/(?<consumer>[a-zA-Z0-9_.-]{1,128}):(?<created>[0-9]{1,18})$")]
    private static partial Regex ParsedRegex();
}
