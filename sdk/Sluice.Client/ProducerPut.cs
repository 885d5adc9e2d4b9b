using Sluice.V1;

namespace Sluice.Client;

/// <summary>
/// One <c>PutRecords</c> call of a <see cref="SluiceProducer"/>: its records and, once first sent, the producer id and
/// sequence number it carries. Sending the same instance again (through any <see cref="SluiceClient"/>, e.g. another
/// gateway after one died) is a retry of the same call: the storage nodes answer the records they have with their
/// original sequence numbers and write only the rest.
/// </summary>
public sealed class ProducerPut
{
    private readonly PutRecordsResult?[] _results;

    internal ProducerPut(SluiceProducer producer, PutRecordsEntry[] records)
    {
        Producer = producer;
        Records = records;
        _results = new PutRecordsResult?[records.Length];
    }

    /// <summary>The producer that numbers this call.</summary>
    public SluiceProducer Producer { get; }

    /// <summary>The records of the call, in order.</summary>
    public IReadOnlyList<PutRecordsEntry> Records { get; }

    /// <summary>The producer id the call carries; <see langword="null"/> before it was first sent, or when the producer is not idempotent.</summary>
    public long? ProducerId { get; private set; }

    /// <summary>The call's sequence number; <see langword="null"/> before it was first sent, or when the producer is not idempotent.</summary>
    public int? Sequence { get; private set; }

    /// <summary>Whether every record has been written.</summary>
    public bool IsComplete
    {
        get
        {
            foreach (var result in _results)
            {
                if (result is null || !string.IsNullOrEmpty(result.ErrorCode))
                {
                    return false;
                }
            }

            return true;
        }
    }

    internal bool IsStamped => Sequence is not null;

    internal void Stamp(long producerId, int sequence)
    {
        ProducerId = producerId;
        Sequence = sequence;
    }

    /// <summary>The indexes of the records not written yet (never sent, or failed).</summary>
    internal List<int> Unwritten()
    {
        var indexes = new List<int>();
        for (var i = 0; i < _results.Length; i++)
        {
            if (_results[i] is not { ErrorCode.Length: 0 })
            {
                indexes.Add(i);
            }
        }

        return indexes;
    }

    /// <summary>Takes the results of an attempt for <paramref name="indexes"/>; a record written before keeps its first result.</summary>
    internal void Merge(IReadOnlyList<int> indexes, PutRecordsResponse response)
    {
        for (var j = 0; j < indexes.Count && j < response.Results.Count; j++)
        {
            var i = indexes[j];
            if (_results[i] is not { ErrorCode.Length: 0 })
            {
                _results[i] = response.Results[j];
            }
        }
    }

    /// <summary>The per-record results so far, as one response.</summary>
    internal PutRecordsResponse ToResponse()
    {
        var response = new PutRecordsResponse();
        foreach (var result in _results)
        {
            var final = result ?? new PutRecordsResult { ErrorCode = "InternalFailure", ErrorMessage = "The gateway returned no result for the record." };
            response.Results.Add(final);
            if (!string.IsNullOrEmpty(final.ErrorCode))
            {
                response.FailedRecordCount++;
            }
        }

        return response;
    }
}
