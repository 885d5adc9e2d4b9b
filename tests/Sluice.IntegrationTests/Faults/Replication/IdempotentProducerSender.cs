using Sluice.Client;
using Sluice.V1;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// The idempotent producer of one workload task: the seam of fault test 9.
/// </summary>
/// <remarks>
/// <para>
/// The workload resends a failed batch unchanged (<see cref="RetryValues.Same"/>), record for
/// record, through whichever gateway answers, which is exactly what makes duplicates without
/// idempotence. This sender writes through the SDK's <see cref="SluiceProducer"/> (one per workload
/// task, created on first use): a producer id allocated once, and a sequence number per call.
/// </para>
/// <para>
/// The producer id and sequence belong to the producer and its call, not to a gateway connection:
/// when the workload sends records of a call that did not finish again (all of them, or the ones
/// that failed), through another client, this sends that same <see cref="ProducerPut"/> again via
/// that client, so the leaders answer what they wrote the first time with the original sequence
/// numbers. The producer retries only briefly by itself: the workload does the backing off and the
/// moving to another gateway.
/// </para>
/// </remarks>
internal sealed class IdempotentProducerSender : IRecordSender, IDisposable
{
    private static readonly SluiceProducerOptions Options = SluiceProducerOptions.Default with
    {
        MaxAttempts = 3,
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
    };

    private SluiceProducer? _producer;
    private ProducerPut? _unfinished;

    public async Task<PutRecordsResponse> PutAsync(SluiceClient client, string stream, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken = default)
    {
        _producer ??= client.CreateProducer(stream, Options);
        var put = _unfinished is { } last && IsPartOf(records, last) ? last : _producer.Prepare(records);
        _unfinished = put;
        var response = await _producer.SendAsync(put, client, cancellationToken);
        if (put.IsComplete)
        {
            _unfinished = null;
        }

        return ResultsOf(records, put, response);
    }

    public void Dispose() => _producer?.Dispose();

    private static bool IsPartOf(IReadOnlyList<PutRecordsEntry> records, ProducerPut put)
    {
        var sent = new HashSet<PutRecordsEntry>(put.Records, ReferenceEqualityComparer.Instance);
        return records.All(sent.Contains);
    }

    /// <summary>The results of <paramref name="records"/> (all or some of the call's), in their order.</summary>
    private static PutRecordsResponse ResultsOf(IReadOnlyList<PutRecordsEntry> records, ProducerPut put, PutRecordsResponse response)
    {
        if (records.Count == put.Records.Count)
        {
            return response;
        }

        var index = new Dictionary<PutRecordsEntry, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < put.Records.Count; i++)
        {
            index[put.Records[i]] = i;
        }

        var subset = new PutRecordsResponse();
        foreach (var record in records)
        {
            var result = response.Results[index[record]];
            subset.Results.Add(result);
            if (!string.IsNullOrEmpty(result.ErrorCode))
            {
                subset.FailedRecordCount++;
            }
        }

        return subset;
    }
}
