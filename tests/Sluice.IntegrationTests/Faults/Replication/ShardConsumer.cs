using Grpc.Core;
using Sluice.Client;
using Sluice.Core;
using Sluice.V1;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// The consumer side of a fault test: reads every shard of a stream (open and closed) from
/// TRIM_HORIZON to its end with the SDK's GetRecords, going on after the last record received when
/// a call fails retriably (a leader moved).
/// </summary>
internal static class ShardConsumer
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    public static async Task<IReadOnlyList<ReadRecord>> ReadAllAsync(SluiceClient client, string stream, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var description = await client.DescribeStreamAsync(stream, deadline.Token);
        var reads = new List<ReadRecord>();
        foreach (var shard in description.Shards)
        {
            string? last = null;
            while (true)
            {
                try
                {
                    var records = last is null
                        ? client.ReadShardAsync(stream, shard.ShardId, StartPosition.TrimHorizon, cancellationToken: deadline.Token)
                        : client.ReadShardAsync(stream, shard.ShardId, StartPosition.AfterSequenceNumber, last, cancellationToken: deadline.Token);
                    await foreach (var record in records)
                    {
                        reads.Add(new ReadRecord(record.Data.ToStringUtf8(), shard.ShardId, record.SequenceNumber));
                        last = record.SequenceNumber;
                    }

                    break;
                }
                catch (RpcException ex) when (SluiceClient.IsRetriable(ex) && !deadline.IsCancellationRequested)
                {
                    await Task.Delay(RetryPause, deadline.Token);
                }
            }
        }

        return reads;
    }

    /// <summary>
    /// The end of a shard as consumers see it: where a read from LATEST starts. With replication
    /// that is the high watermark, since readers never see records above it.
    /// </summary>
    public static async Task<long?> VisibleEndAsync(SluiceClient client, string stream, string shardId, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = shardId, Position = StartPosition.Latest, Limit = 1 }, cancellationToken);
            return SequenceNumber.TryDecode(response.NextSequenceNumber, out _, out var offset) ? offset : null;
        }
        catch (RpcException ex) when (SluiceClient.IsRetriable(ex) || ex.StatusCode == StatusCode.Cancelled)
        {
            return null;
        }
    }
}
