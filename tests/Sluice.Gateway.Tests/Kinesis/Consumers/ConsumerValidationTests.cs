using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sluice.Gateway.Auth;
using Sluice.Gateway.Kinesis;
using Sluice.Gateway.Kinesis.Consumers;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Tests.Kinesis.Consumers;

/// <summary>
/// Each enhanced fan-out operation refuses bad input with Kinesis' own error before it looks
/// anything up (the operations here have no catalog, router or storage behind them: a request that
/// got past validation would fail differently).
/// </summary>
public sealed class ConsumerValidationTests
{
    private const string Account = "123456789012";
    private const string StreamArn = $"arn:aws:kinesis:us-east-1:{Account}:stream/clicks";
    private const string ConsumerArnText = $"{StreamArn}/consumer/billing:1764042000";

    private static readonly KinesisCall Call = new(TenantAdmin(new Tenant { Name = "t", AccountId = Account }), "us-east-1");
    private readonly KinesisConsumerOperations _operations = new(null!, null!, null!, Options.Create(new KinesisOptions()));

    private static Caller TenantAdmin(Tenant tenant) =>
        new(tenant, Caller.TenantKeyPrincipal, new HashSet<string>(), isTenantAdmin: true, new AccessControlSnapshot(tenant.Id, [], []));

    [Fact]
    public async Task RegisterStreamConsumer_needs_a_stream_ARN_and_a_consumer_name()
    {
        var error = await ErrorAsync(() => _operations.RegisterAsync(Call, Json("{}"), default));

        Assert.Equal(KinesisException.Validation, error.Type);
        Assert.StartsWith("2 validation errors detected: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value null at 'streamARN' failed to satisfy constraint: Member must not be null", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value null at 'consumerName' failed to satisfy constraint: Member must not be null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterStreamConsumer_checks_the_name_pattern_and_length_and_the_ARN_pattern()
    {
        var error = await ErrorAsync(() => _operations.RegisterAsync(Call, Json($$"""{"StreamARN":"arn:aws:s3:::bucket","ConsumerName":"no spaces"}"""), default));
        Assert.Equal(KinesisException.Validation, error.Type);
        Assert.Contains("Value 'no spaces' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", error.Message, StringComparison.Ordinal);
        Assert.Contains("at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", error.Message, StringComparison.Ordinal);

        error = await ErrorAsync(() => _operations.RegisterAsync(Call, Json($$"""{"StreamARN":"{{StreamArn}}","ConsumerName":"{{new string('c', 129)}}"}"""), default));
        Assert.Contains("at 'consumerName' failed to satisfy constraint: Member must have length less than or equal to 128", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterStreamConsumer_with_another_accounts_stream_answers_not_found()
    {
        var error = await ErrorAsync(() => _operations.RegisterAsync(Call, Json("""{"StreamARN":"arn:aws:kinesis:us-east-1:999999999999:stream/clicks","ConsumerName":"c"}"""), default));

        Assert.Equal(KinesisException.ResourceNotFound, error.Type);
        Assert.Equal("Stream clicks under account 999999999999 not found.", error.Message);
    }

    [Fact]
    public async Task DescribeStreamConsumer_needs_a_consumer_ARN_or_both_stream_ARN_and_name()
    {
        foreach (var body in new[] { "{}", $$"""{"StreamARN":"{{StreamArn}}"}""", """{"ConsumerName":"billing"}""" })
        {
            var error = await ErrorAsync(() => _operations.DescribeAsync(Call, Json(body), default));
            Assert.Equal(KinesisException.InvalidArgument, error.Type);
            Assert.Equal("Either ConsumerARN, or both StreamARN and ConsumerName, must be provided.", error.Message);
        }
    }

    [Fact]
    public async Task DescribeStreamConsumer_checks_the_consumer_ARN_pattern()
    {
        var error = await ErrorAsync(() => _operations.DescribeAsync(Call, Json($$"""{"ConsumerARN":"{{StreamArn}}"}"""), default));

        Assert.Equal(KinesisException.Validation, error.Type);
        Assert.Contains("at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern: " + ConsumerArn.Pattern, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeStreamConsumer_refuses_an_ARN_that_disagrees_with_the_name_given_too()
    {
        var error = await ErrorAsync(() => _operations.DescribeAsync(Call, Json($$"""{"ConsumerARN":"{{ConsumerArnText}}","ConsumerName":"other"}"""), default));

        Assert.Equal(KinesisException.InvalidArgument, error.Type);
    }

    [Fact]
    public async Task Another_accounts_consumer_ARN_answers_like_a_missing_consumer()
    {
        var foreign = ConsumerArnText.Replace(Account, "999999999999", StringComparison.Ordinal);
        var error = await ErrorAsync(() => _operations.DeregisterAsync(Call, Json($$"""{"ConsumerARN":"{{foreign}}"}"""), default));

        Assert.Equal(KinesisException.ResourceNotFound, error.Type);
        Assert.Equal("Consumer billing under stream clicks under account 999999999999 not found.", error.Message);
    }

    [Fact]
    public async Task DeregisterStreamConsumer_checks_the_name_and_ARN_lengths()
    {
        var error = await ErrorAsync(() => _operations.DeregisterAsync(Call, Json($$"""{"StreamARN":"{{StreamArn}}","ConsumerName":""}"""), default));

        Assert.Equal(KinesisException.Validation, error.Type);
        Assert.Contains("Value '' at 'consumerName' failed to satisfy constraint: Member must have length greater than or equal to 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListStreamConsumers_needs_a_stream_ARN_and_a_MaxResults_in_range()
    {
        var error = await ErrorAsync(() => _operations.ListAsync(Call, Json("""{"MaxResults":0}"""), default));

        Assert.Equal(KinesisException.Validation, error.Type);
        Assert.Contains("Value null at 'streamARN'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", error.Message, StringComparison.Ordinal);

        error = await ErrorAsync(() => _operations.ListAsync(Call, Json($$"""{"StreamARN":"{{StreamArn}}","MaxResults":10001}"""), default));
        Assert.Contains("Value '10001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListStreamConsumers_refuses_a_token_it_did_not_make_or_one_with_a_timestamp()
    {
        var error = await ErrorAsync(() => _operations.ListAsync(Call, Json($$"""{"StreamARN":"{{StreamArn}}","NextToken":"bm90IGEgdG9rZW4="}"""), default));
        Assert.Equal(KinesisException.InvalidArgument, error.Type);

        error = await ErrorAsync(() => _operations.ListAsync(Call, Json($$"""{"StreamARN":"{{StreamArn}}","NextToken":"x","StreamCreationTimestamp":1764042000}"""), default));
        Assert.Equal("NextToken and StreamCreationTimestamp cannot be provided together.", error.Message);
    }

    [Fact]
    public async Task SubscribeToShard_needs_a_consumer_ARN_a_shard_and_a_starting_position_with_a_type()
    {
        var error = await SubscribeErrorAsync("{}");

        Assert.Equal(KinesisException.Validation, error.Type);
        Assert.StartsWith("3 validation errors detected: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value null at 'consumerARN'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value null at 'shardId'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value null at 'startingPosition'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("startingPosition.type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubscribeToShard_needs_the_starting_positions_type()
    {
        var error = await SubscribeErrorAsync($$$"""{"ConsumerARN":"{{{ConsumerArnText}}}","ShardId":"shardId-000000000000","StartingPosition":{}}""");

        Assert.Equal("1 validation error detected: Value null at 'startingPosition.type' failed to satisfy constraint: Member must not be null", error.Message);
    }

    [Fact]
    public async Task SubscribeToShard_checks_the_position_type_and_sequence_number()
    {
        var error = await SubscribeErrorAsync($$$"""{"ConsumerARN":"{{{ConsumerArnText}}}","ShardId":"shardId-000000000000","StartingPosition":{"Type":"OLDEST","SequenceNumber":"12x"}}""");

        Assert.Equal(KinesisException.Validation, error.Type);
        Assert.Contains("Value 'OLDEST' at 'startingPosition.type' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value '12x' at 'startingPosition.sequenceNumber'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubscribeToShard_with_another_accounts_consumer_answers_not_found()
    {
        var foreign = ConsumerArnText.Replace(Account, "999999999999", StringComparison.Ordinal);
        var error = await SubscribeErrorAsync($$$"""{"ConsumerARN":"{{{foreign}}}","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}""");

        Assert.Equal(KinesisException.ResourceNotFound, error.Type);
    }

    [Fact]
    public void Consumer_ARNs_carry_the_stream_the_name_and_the_creation_second()
    {
        var arn = ConsumerArn.Format(Call, "clicks", "billing", DateTimeOffset.FromUnixTimeMilliseconds(1_764_042_000_999));

        Assert.Equal(ConsumerArnText, arn);
        Assert.True(ConsumerArn.TryParse(arn, out var parsed));
        Assert.Equal(new ConsumerArn(Account, "clicks", "billing", 1_764_042_000), parsed);
        Assert.Matches(ConsumerArn.PatternRegex(), arn);
        Assert.False(ConsumerArn.TryParse(StreamArn, out _));
        Assert.False(ConsumerArn.TryParse("arn:aws:kinesis:us-east-1:123456789012:stream/clicks/consumer/billing", out _));
    }

    private async Task<KinesisException> SubscribeErrorAsync(string body)
    {
        var subscribe = new SubscribeToShardOperation(
            _operations, null!, null!, null!, Options.Create(new KinesisOptions()), TimeProvider.System, NullLogger<SubscribeToShardOperation>.Instance);
        var context = new DefaultHttpContext();
        var error = await ErrorAsync(async () =>
        {
            await subscribe.SubscribeAsync(context, Call, Json(body), cbor: false);
            return [];
        });
        Assert.False(context.Response.HasStarted);
        return error;
    }

    private static ReadOnlyMemory<byte> Json(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task<KinesisException> ErrorAsync(Func<Task<byte[]>> call) => await Assert.ThrowsAsync<KinesisException>(call);
}
