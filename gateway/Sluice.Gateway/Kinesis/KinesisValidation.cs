using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Gateway.Kinesis;

/// <summary>
/// Collects a request's constraint violations and answers them as Kinesis does: one
/// ValidationException listing them all ("2 validation errors detected: Value ... at 'streamName'
/// failed to satisfy constraint: ...; ...").
/// </summary>
internal sealed partial class KinesisValidation
{
    public const string StreamNamePattern = "[a-zA-Z0-9_.-]+";
    public const string ShardIdPattern = "[a-zA-Z0-9_.-]+";
    public const string HashKeyPattern = "0|([1-9]\\d{0,38})";
    public const string SequenceNumberPattern = "0|([1-9]\\d{0,128})";

    private readonly List<string> _errors = [];

    public bool HasErrors => _errors.Count > 0;

    public KinesisValidation Required(object? value, string member)
    {
        if (value is null)
        {
            _errors.Add($"Value null at '{member}' failed to satisfy constraint: Member must not be null");
        }

        return this;
    }

    public KinesisValidation Length(string? value, int min, int max, string member)
    {
        if (value is null)
        {
            return this;
        }

        if (value.Length < min)
        {
            _errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
        }
        else if (value.Length > max)
        {
            _errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}");
        }

        return this;
    }

    public KinesisValidation Pattern(string? value, string pattern, Regex regex, string member)
    {
        if (value is { Length: > 0 } && !regex.IsMatch(value))
        {
            _errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}");
        }

        return this;
    }

    public KinesisValidation Range(long? value, long min, long max, string member)
    {
        if (value is not { } v)
        {
            return this;
        }

        if (v < min)
        {
            _errors.Add(string.Create(CultureInfo.InvariantCulture, $"Value '{v}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to {min}"));
        }
        else if (v > max)
        {
            _errors.Add(string.Create(CultureInfo.InvariantCulture, $"Value '{v}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {max}"));
        }

        return this;
    }

    public KinesisValidation OneOf(string? value, string member, params string[] allowed)
    {
        if (value is not null && Array.IndexOf(allowed, value) < 0)
        {
            _errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", allowed)}]");
        }

        return this;
    }

    public KinesisValidation StreamName(string? value, string member = "streamName") =>
        Length(value, 1, 128, member).Pattern(value, StreamNamePattern, StreamNameRegex(), member);

    public KinesisValidation ShardId(string? value, string member) =>
        Length(value, 1, 128, member).Pattern(value, ShardIdPattern, ShardIdRegex(), member);

    public KinesisValidation HashKey(string? value, string member) =>
        Pattern(value, HashKeyPattern, HashKeyRegex(), member);

    public KinesisValidation SequenceNumber(string? value, string member) =>
        Pattern(value, SequenceNumberPattern, SequenceNumberRegex(), member);

    public void ThrowIfAny()
    {
        if (_errors.Count == 0)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"{_errors.Count} validation error{(_errors.Count == 1 ? string.Empty : "s")} detected: ");
        message.AppendJoin("; ", _errors);
        throw new KinesisException(KinesisException.Validation, message.ToString());
    }

    [GeneratedRegex("^[a-zA-Z0-9_.-]+$")]
    private static partial Regex StreamNameRegex();

    [GeneratedRegex("^[a-zA-Z0-9_.-]+$")]
    private static partial Regex ShardIdRegex();

    [GeneratedRegex("^(0|([1-9][0-9]{0,38}))$")]
    private static partial Regex HashKeyRegex();

    [GeneratedRegex("^(0|([1-9][0-9]{0,128}))$")]
    private static partial Regex SequenceNumberRegex();
}
