using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Gateway.Kinesis;
using Sluice.Gateway.Streams;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Tests.Kinesis;

/// <summary>
/// SplitShard, MergeShards and UpdateShardCount refuse bad input before anything is looked up,
/// with Kinesis' own error types and wording. The service under the operations has no catalog
/// here: a request that got past validation would fail these tests with a NullReferenceException.
/// </summary>
public sealed class KinesisReshardValidationTests
{
    private static readonly Tenant Tenant = new() { Id = Guid.NewGuid(), Name = "t", AccountId = "123456789012" };
    private static readonly KinesisCall Call = new(new Caller(Tenant, Caller.TenantKeyPrincipal, new HashSet<string>(), isTenantAdmin: true, new AccessControlSnapshot(Tenant.Id, [], [])), "us-east-1");
    private readonly KinesisReshardOperations _operations = new(
        new ReshardService(null!, null!, null!, Options.Create(new KinesisOptions()), NullLogger<ReshardService>.Instance));

    [Fact]
    public async Task SplitShard_without_its_members_lists_every_missing_one()
    {
        var error = await Assert.ThrowsAsync<KinesisException>(() => _operations.SplitShardAsync(Call, new SplitShardRequest { StreamName = "s" }, default));

        Assert.Equal(KinesisException.Validation, error.Type);
        Assert.Equal(
            "2 validation errors detected: Value null at 'shardToSplit' failed to satisfy constraint: Member must not be null; "
            + "Value null at 'newStartingHashKey' failed to satisfy constraint: Member must not be null",
            error.Message);
    }

    [Theory]
    [InlineData("12a")]
    [InlineData("-1")]
    [InlineData("0123")]
    [InlineData("1234567890123456789012345678901234567890")]
    public async Task SplitShard_with_a_hash_key_that_is_not_a_decimal_of_at_most_39_digits_is_a_validation_error(string hashKey)
    {
        var error = await Assert.ThrowsAsync<KinesisException>(() =>
            _operations.SplitShardAsync(Call, new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-000000000000", NewStartingHashKey = hashKey }, default));

        Assert.Equal(KinesisException.Validation, error.Type);
        Assert.Contains($"Value '{hashKey}' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{{0,38}})", error.Message);
    }

    [Fact]
    public async Task SplitShard_with_a_hash_key_above_2_to_the_128_is_an_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<SluiceException>(() => _operations.SplitShardAsync(
            Call, new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "340282366920938463463374607431768211456" }, default));

        Assert.Equal(SluiceErrorCode.InvalidArgument, error.Code);
        Assert.Equal(KinesisException.InvalidArgument, KinesisException.From(error).Type);
    }

    [Fact]
    public async Task SplitShard_with_a_bad_shard_id_and_neither_name_nor_arn_is_refused()
    {
        var badShard = await Assert.ThrowsAsync<KinesisException>(() =>
            _operations.SplitShardAsync(Call, new SplitShardRequest { StreamName = "s", ShardToSplit = "shard 1", NewStartingHashKey = "5" }, default));
        Assert.Contains("Value 'shard 1' at 'shardToSplit' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", badShard.Message);

        var noStream = await Assert.ThrowsAsync<KinesisException>(() =>
            _operations.SplitShardAsync(Call, new SplitShardRequest { ShardToSplit = "shardId-000000000000", NewStartingHashKey = "5" }, default));
        Assert.Equal(KinesisException.InvalidArgument, noStream.Type);
        Assert.Equal("Either StreamName or StreamARN should be provided.", noStream.Message);
    }

    [Fact]
    public async Task MergeShards_needs_both_shards_with_valid_ids()
    {
        var error = await Assert.ThrowsAsync<KinesisException>(() =>
            _operations.MergeShardsAsync(Call, new MergeShardsRequest { StreamName = "s", ShardToMerge = "shard#0" }, default));

        Assert.Equal(KinesisException.Validation, error.Type);
        Assert.StartsWith("2 validation errors detected: ", error.Message);
        Assert.Contains("Value 'shard#0' at 'shardToMerge' failed to satisfy constraint", error.Message);
        Assert.Contains("Value null at 'adjacentShardToMerge' failed to satisfy constraint: Member must not be null", error.Message);
    }

    [Fact]
    public async Task MergeShards_of_another_accounts_stream_arn_answers_not_found()
    {
        var error = await Assert.ThrowsAsync<KinesisException>(() => _operations.MergeShardsAsync(Call, new MergeShardsRequest
        {
            StreamARN = "arn:aws:kinesis:us-east-1:999999999999:stream/theirs",
            ShardToMerge = "shardId-000000000000",
            AdjacentShardToMerge = "shardId-000000000001",
        }, default));

        Assert.Equal(KinesisException.ResourceNotFound, error.Type);
        Assert.Equal("Stream theirs under account 999999999999 not found.", error.Message);
    }

    [Fact]
    public async Task UpdateShardCount_needs_a_target_of_at_least_one_and_uniform_scaling()
    {
        var missing = await Assert.ThrowsAsync<KinesisException>(() =>
            _operations.UpdateShardCountAsync(Call, new UpdateShardCountRequest { StreamName = "s", TargetShardCount = 0 }, default));
        Assert.Equal(KinesisException.Validation, missing.Type);
        Assert.Equal(
            "2 validation errors detected: Value '0' at 'targetShardCount' failed to satisfy constraint: Member must have value greater than or equal to 1; "
            + "Value null at 'scalingType' failed to satisfy constraint: Member must not be null",
            missing.Message);

        var scaling = await Assert.ThrowsAsync<KinesisException>(() =>
            _operations.UpdateShardCountAsync(Call, new UpdateShardCountRequest { StreamName = "s", TargetShardCount = 100_001, ScalingType = "HALVING" }, default));
        Assert.Contains("Value '100001' at 'targetShardCount' failed to satisfy constraint: Member must have value less than or equal to 100000", scaling.Message);
        Assert.Contains("Value 'HALVING' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]", scaling.Message);
    }

    [Theory]
    [InlineData(SluiceErrorCode.ResourceInUse, KinesisException.ResourceInUse)]
    [InlineData(SluiceErrorCode.LimitExceeded, KinesisException.LimitExceeded)]
    [InlineData(SluiceErrorCode.NotSupported, KinesisException.Validation)]
    [InlineData(SluiceErrorCode.InvalidArgument, KinesisException.InvalidArgument)]
    [InlineData(SluiceErrorCode.NotFound, KinesisException.ResourceNotFound)]
    public void Reshard_refusals_of_the_application_core_answer_as_Kinesis_types(SluiceErrorCode code, string type)
    {
        var error = KinesisException.From(new SluiceException(code, "why"));

        Assert.Equal(type, error.Type);
        Assert.Equal("why", error.Message);
        Assert.Equal(400, error.StatusCode);
    }
}
