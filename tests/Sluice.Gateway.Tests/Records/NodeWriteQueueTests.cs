using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Sluice.Gateway.Records;
using Sluice.Storage.V1;

namespace Sluice.Gateway.Tests.Records;

public sealed class NodeWriteQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Deferred_writes_to_several_shards_share_one_call_with_chunks_in_arrival_order()
    {
        var node = new FakeNode();
        var queue = new NodeWriteQueue(node.SendAsync);
        var starts = new List<NodeWriteQueue>();

        var a1 = queue.AppendAsync(7, 0, 3, Chunk("a1"), 2, starts);
        var b = queue.AppendAsync(7, 1, 3, Chunk("b"), 5, starts);
        var a2 = queue.AppendAsync(7, 0, 3, Chunk("a2"), 4, starts);
        Assert.Single(starts);
        Assert.Empty(node.Calls);

        starts[0].StartDeferred();

        Assert.Equal(100, await a1.WaitAsync(Timeout));
        Assert.Equal(102, await a2.WaitAsync(Timeout));
        Assert.Equal(100, await b.WaitAsync(Timeout));
        var call = Assert.Single(node.Calls);
        Assert.Equal(2, call.Shards.Count);
        Assert.Equal(0, call.Shards[0].ShardIndex);
        Assert.Equal(["a1", "a2"], call.Shards[0].RecordChunks.Select(c => c.ToStringUtf8()));
        Assert.Equal(3, call.Shards[0].LeaderEpoch);
        Assert.Equal(["b"], call.Shards[1].RecordChunks.Select(c => c.ToStringUtf8()));
    }

    [Fact]
    public async Task Writes_arriving_during_a_call_ride_together_in_the_next_one()
    {
        var node = new FakeNode { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var queue = new NodeWriteQueue(node.SendAsync);

        var first = queue.AppendAsync(1, 0, 1, Chunk("x"), 1);
        await node.FirstCallStarted.Task.WaitAsync(Timeout);
        var later = Enumerable.Range(0, 5).Select(i => queue.AppendAsync(1, i % 2, 1, Chunk("y" + i), 1)).ToList();
        node.Gate.SetResult();

        await first.WaitAsync(Timeout);
        await Task.WhenAll(later).WaitAsync(Timeout);
        Assert.Equal(2, node.Calls.Count);
        Assert.Equal(5, node.Calls.Last().Shards.Sum(s => s.RecordChunks.Count));
    }

    [Fact]
    public async Task A_shard_error_fails_only_that_shard_and_keeps_the_nodes_reason()
    {
        var node = new FakeNode
        {
            Refuse = shard => shard == 1 ? new ShardError { StatusCode = (int)StatusCode.FailedPrecondition, Reason = "not-leader", Message = "not mine" } : null,
        };
        var queue = new NodeWriteQueue(node.SendAsync);
        var starts = new List<NodeWriteQueue>();
        var ok = queue.AppendAsync(1, 0, 1, Chunk("ok"), 1, starts);
        var refused = queue.AppendAsync(1, 1, 1, Chunk("no"), 1, starts);
        starts.ForEach(q => q.StartDeferred());

        Assert.Equal(100, await ok.WaitAsync(Timeout));
        var error = await Assert.ThrowsAsync<RpcException>(() => refused.WaitAsync(Timeout));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("not-leader", error.Trailers.GetValue(RecordService.ErrorTrailer));
        Assert.Equal("not mine", error.Status.Detail);
    }

    [Fact]
    public async Task A_failed_call_fails_every_write_in_it_and_the_queue_keeps_working()
    {
        var node = new FakeNode { FailNextCall = new RpcException(new Status(StatusCode.Unavailable, "down")) };
        var queue = new NodeWriteQueue(node.SendAsync);
        var starts = new List<NodeWriteQueue>();
        var writes = new[] { queue.AppendAsync(1, 0, 1, Chunk("a"), 1, starts), queue.AppendAsync(1, 1, 1, Chunk("b"), 1, starts) };
        starts.ForEach(q => q.StartDeferred());

        foreach (var write in writes)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => write.WaitAsync(Timeout));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        }

        Assert.Equal(100, await queue.AppendAsync(1, 0, 1, Chunk("c"), 1).WaitAsync(Timeout));
    }

    [Fact]
    public async Task An_answer_with_the_wrong_number_of_results_fails_the_writes()
    {
        var node = new FakeNode { DropResults = true };
        var queue = new NodeWriteQueue(node.SendAsync);
        var error = await Assert.ThrowsAsync<RpcException>(() => queue.AppendAsync(1, 0, 1, Chunk("a"), 1).WaitAsync(Timeout));
        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task Queued_writes_over_the_call_limit_go_in_several_calls_and_all_complete()
    {
        var node = new FakeNode { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var queue = new NodeWriteQueue(node.SendAsync);
        var first = queue.AppendAsync(1, 0, 1, Chunk("first"), 1);
        await node.FirstCallStarted.Task.WaitAsync(Timeout);

        // Ten writes of 1 MiB while the first call is out: at most 4 MiB per call.
        var big = ByteString.CopyFrom(new byte[1024 * 1024]);
        var writes = Enumerable.Range(0, 10).Select(i => queue.AppendAsync(1, i % 3, 1, big, 1)).ToList();
        node.Gate.SetResult();
        await first.WaitAsync(Timeout);
        await Task.WhenAll(writes).WaitAsync(Timeout);

        Assert.True(node.Calls.Count >= 4, $"{node.Calls.Count} calls");
        Assert.All(node.Calls, c => Assert.True(c.Shards.Sum(s => s.RecordChunks.Sum(r => (long)r.Length)) <= 4L * 1024 * 1024));
        Assert.Equal(11, node.Calls.Sum(c => c.Shards.Sum(s => s.RecordChunks.Count)));
    }

    private static ByteString Chunk(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>Answers each shard with base offset 100 plus what earlier calls appended to it.</summary>
    private sealed class FakeNode
    {
        private readonly ConcurrentDictionary<(long, int), long> _ends = new();

        public ConcurrentQueue<AppendRequest> Calls { get; } = new();

        public TaskCompletionSource FirstCallStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource? Gate { get; init; }

        public Func<int, ShardError?> Refuse { get; init; } = _ => null;

        public RpcException? FailNextCall { get; set; }

        public bool DropResults { get; init; }

        public async Task<AppendResponse> SendAsync(AppendRequest request)
        {
            Calls.Enqueue(request.Clone());
            FirstCallStarted.TrySetResult();
            if (Gate is not null)
            {
                await Gate.Task;
            }

            await Task.Yield();
            if (FailNextCall is { } failure)
            {
                FailNextCall = null;
                throw failure;
            }

            var response = new AppendResponse();
            if (DropResults)
            {
                return response;
            }

            foreach (var shard in request.Shards)
            {
                if (Refuse(shard.ShardIndex) is { } error)
                {
                    response.Results.Add(new ShardAppendResult { Error = error });
                    continue;
                }

                // A base offset per shard that moves on between calls; the queue derives each
                // write's offset from it and the record counts it was given.
                var count = shard.RecordChunks.Count;
                var end = _ends.AddOrUpdate((shard.StreamId, shard.ShardIndex), 100 + count, (_, e) => e + count);
                response.Results.Add(new ShardAppendResult { BaseOffset = end - count, RecordCount = count });
            }

            return response;
        }
    }
}
