using System.Text;
using Sluice.Log;
using Sluice.StorageNode.Internal;

namespace Sluice.StorageNode.Tests.Internal;

public sealed class ProducerStateTableTests : IDisposable
{
    private const int MaxProducers = 100;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_new_sequence_is_written_and_its_retry_is_answered_with_the_first_batch()
    {
        var table = new ProducerStateTable(MaxProducers);

        Assert.Equal(ProducerAppendDecision.Write, (await table.BeginAsync(7, 0, 0)).Decision);
        table.Complete(7, 0, new ProducerBatchEntry(0, 40, 3, 1_000));

        var retry = await table.BeginAsync(7, 0, 0);
        Assert.Equal(ProducerAppendDecision.Duplicate, retry.Decision);
        Assert.Equal(new ProducerBatchEntry(0, 40, 3, 1_000), retry.Batch);
        Assert.Equal(43, retry.Batch.EndOffset);
    }

    [Fact]
    public async Task Only_the_last_five_batches_are_kept_and_a_sequence_older_than_all_of_them_is_too_old()
    {
        var table = new ProducerStateTable(MaxProducers);
        for (var sequence = 0; sequence < 7; sequence++)
        {
            await WriteAsync(table, 1, sequence, offset: sequence * 10);
        }

        Assert.Equal([2, 3, 4, 5, 6], table.BatchesOf(1).Select(b => b.Sequence));
        var old = await table.BeginAsync(1, 0, 1);
        Assert.Equal(ProducerAppendDecision.TooOld, old.Decision);
        Assert.Equal(2, old.OldestKept);
        Assert.Equal(ProducerAppendDecision.Duplicate, (await table.BeginAsync(1, 0, 2)).Decision);
        Assert.Equal(ProducerAppendDecision.Write, (await table.BeginAsync(1, 0, 7)).Decision);
    }

    [Fact]
    public async Task Gaps_in_the_sequence_are_written()
    {
        var table = new ProducerStateTable(MaxProducers);
        await WriteAsync(table, 1, 0, offset: 0);
        await WriteAsync(table, 1, 4, offset: 1);

        // Calls 1..3 did not touch this shard; a later one that does is new.
        Assert.Equal(ProducerAppendDecision.Write, (await table.BeginAsync(1, 0, 9)).Decision);
        table.Abandon(1, 9);
        Assert.Equal(ProducerAppendDecision.Write, (await table.BeginAsync(1, 0, 2)).Decision);
    }

    [Fact]
    public async Task A_retry_racing_the_original_waits_for_it_and_is_answered_with_its_batch()
    {
        var table = new ProducerStateTable(MaxProducers);
        Assert.Equal(ProducerAppendDecision.Write, (await table.BeginAsync(3, 0, 5)).Decision);

        var retry = table.BeginAsync(3, 0, 5).AsTask();
        await Task.Delay(50);
        Assert.False(retry.IsCompleted);

        table.Complete(3, 0, new ProducerBatchEntry(5, 100, 2, 9));
        var answer = await retry.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(ProducerAppendDecision.Duplicate, answer.Decision);
        Assert.Equal(100, answer.Batch.BaseOffset);
    }

    [Fact]
    public async Task A_retry_of_an_append_that_was_not_written_writes_it()
    {
        var table = new ProducerStateTable(MaxProducers);
        Assert.Equal(ProducerAppendDecision.Write, (await table.BeginAsync(3, 0, 5)).Decision);
        var retry = table.BeginAsync(3, 0, 5).AsTask();

        table.Abandon(3, 5);

        Assert.Equal(ProducerAppendDecision.Write, (await retry.WaitAsync(TimeSpan.FromSeconds(5))).Decision);
    }

    [Fact]
    public async Task Waiting_for_an_append_in_flight_can_be_cancelled()
    {
        var table = new ProducerStateTable(MaxProducers);
        await table.BeginAsync(3, 0, 5);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => table.BeginAsync(3, 0, 5, cancel.Token).AsTask());
    }

    [Fact]
    public async Task Producers_keep_their_sequences_apart()
    {
        var table = new ProducerStateTable(MaxProducers);
        await WriteAsync(table, 1, 0, offset: 0);

        Assert.Equal(ProducerAppendDecision.Write, (await table.BeginAsync(2, 0, 0)).Decision);
    }

    [Fact]
    public async Task An_older_producer_epoch_is_fenced_and_a_newer_one_starts_afresh()
    {
        var table = new ProducerStateTable(MaxProducers);
        await WriteAsync(table, 1, 3, offset: 0, epoch: 1);

        var fenced = await table.BeginAsync(1, 0, 4);
        Assert.Equal(ProducerAppendDecision.Fenced, fenced.Decision);
        Assert.Equal(1, fenced.CurrentEpoch);
        Assert.Equal(ProducerAppendDecision.Write, (await table.BeginAsync(1, 2, 0)).Decision);
        Assert.Empty(table.BatchesOf(1));
    }

    [Fact]
    public async Task Beyond_the_producer_bound_the_producer_that_wrote_least_recently_is_forgotten()
    {
        var table = new ProducerStateTable(maxProducers: 2);
        await WriteAsync(table, 1, 0, offset: 0);
        await WriteAsync(table, 2, 0, offset: 1);
        await WriteAsync(table, 1, 1, offset: 2);

        await WriteAsync(table, 3, 0, offset: 3);

        Assert.Equal(2, table.ProducerCount);
        Assert.Empty(table.BatchesOf(2));
        Assert.Equal([0, 1], table.BatchesOf(1).Select(b => b.Sequence));
    }

    [Fact]
    public async Task Rebuild_from_the_log_knows_each_producers_last_five_batches()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await log.AppendEncodedAsync([Encode(2)], 1);
        var written = new List<AppendResult>();
        for (var sequence = 0; sequence < 8; sequence++)
        {
            written.Add(await log.AppendEncodedAsync([Encode(sequence + 1)], 1, new ProducerBatch(11, 0, sequence)));
            await log.AppendEncodedAsync([Encode(1)], 1, new ProducerBatch(12, 0, sequence * 2));
        }

        var table = await ProducerStateTable.RebuildAsync(log, 1000, MaxProducers);

        Assert.Equal(2, table.ProducerCount);
        Assert.Equal([3, 4, 5, 6, 7], table.BatchesOf(11).Select(b => b.Sequence));
        Assert.Equal([6, 8, 10, 12, 14], table.BatchesOf(12).Select(b => b.Sequence));
        var retry = await table.BeginAsync(11, 0, 7);
        Assert.Equal(ProducerAppendDecision.Duplicate, retry.Decision);
        Assert.Equal((written[7].BaseOffset, written[7].Count), (retry.Batch.BaseOffset, retry.Batch.RecordCount));
        Assert.Equal(written[7].TimestampMs, retry.Batch.TimestampMs);
        Assert.Equal(ProducerAppendDecision.TooOld, (await table.BeginAsync(11, 0, 2)).Decision);
    }

    [Fact]
    public async Task Rebuild_reads_only_the_last_batches_even_when_batches_hold_many_records()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        // Producer p writes one batch of 50 records: the windows scanned back from the end must
        // grow past the first (which holds at most maxBatches records) to find enough batches.
        for (var producer = 1; producer <= 20; producer++)
        {
            await log.AppendEncodedAsync([Encode(50)], 1, new ProducerBatch(producer, 0, 0));
        }

        var table = await ProducerStateTable.RebuildAsync(log, maxBatches: 6, MaxProducers);

        Assert.Equal(6, table.ProducerCount);
        Assert.Empty(table.BatchesOf(14));
        for (var producer = 15; producer <= 20; producer++)
        {
            var batch = Assert.Single(table.BatchesOf(producer));
            Assert.Equal((producer - 1) * 50L, batch.BaseOffset);
        }
    }

    [Fact]
    public async Task Rebuild_of_an_empty_log_knows_no_producer()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);

        var table = await ProducerStateTable.RebuildAsync(log, 10, MaxProducers);

        Assert.Equal(0, table.ProducerCount);
    }

    private static async Task WriteAsync(ProducerStateTable table, long producerId, int sequence, long offset, short epoch = 0)
    {
        Assert.Equal(ProducerAppendDecision.Write, (await table.BeginAsync(producerId, epoch, sequence)).Decision);
        table.Complete(producerId, epoch, new ProducerBatchEntry(sequence, offset, 1, 0));
    }

    private static ReadOnlyMemory<byte> Encode(int records)
    {
        var key = Encoding.UTF8.GetBytes("k");
        var value = Encoding.UTF8.GetBytes("value");
        var buffer = new byte[records * RecordBody.EncodedLength(key.Length, value.Length)];
        var position = 0;
        for (var i = 0; i < records; i++)
        {
            position += RecordBody.Write(buffer.AsSpan(position), key, value);
        }

        return buffer;
    }
}
