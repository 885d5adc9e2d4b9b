using Arn = Sluice.Gateway.Kinesis.Consumers.ConsumerArn;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>Kinesis' constraints on the enhanced fan-out members, on top of <see cref="KinesisValidation"/>.</summary>
internal static class KinesisValidationExtensions
{
    public static KinesisValidation StreamArn(this KinesisValidation validation, string? value, string member = "streamARN") =>
        validation.Length(value, 1, 2048, member).Pattern(value, Arn.StreamArnPattern, Arn.StreamArnRegex(), member);

    public static KinesisValidation ConsumerName(this KinesisValidation validation, string? value, string member = "consumerName") =>
        validation.Length(value, 1, 128, member).Pattern(value, Arn.NamePattern, Arn.NameRegex(), member);

    public static KinesisValidation ConsumerArn(this KinesisValidation validation, string? value, string member = "consumerARN") =>
        validation.Length(value, 1, 2048, member).Pattern(value, Arn.Pattern, Arn.PatternRegex(), member);
}
