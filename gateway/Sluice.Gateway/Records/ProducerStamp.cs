using Sluice.Core;

namespace Sluice.Gateway.Records;

/// <summary>
/// An idempotent producer's stamp on a put: its id (from InitProducer) and the sequence number of the call, which the
/// producer increments per call and keeps for a retry of the same call with the same records.
/// </summary>
public readonly record struct ProducerStamp(long ProducerId, int Sequence)
{
    /// <summary>The producer epoch every allocated id starts at (and, without epoch bumps, stays at).</summary>
    public const short InitialEpoch = 0;

    /// <summary>
    /// The stamp a face received: none when neither field is given; both or neither, the id positive and the sequence
    /// between 0 and 2^31 - 1, else <see cref="SluiceErrorCode.InvalidArgument"/>.
    /// </summary>
    public static ProducerStamp? From(long? producerId, long? sequence)
    {
        if (producerId is null && sequence is null)
        {
            return null;
        }

        if (producerId is null || sequence is null)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                "producer_id and producer_sequence go together: give both (an idempotent put) or neither.");
        }

        if (producerId <= 0)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"Producer id {producerId} was not allocated: producer ids are positive and come from InitProducer (POST /v1/producers).");
        }

        if (sequence < 0 || sequence > int.MaxValue)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"Producer sequence {sequence} is out of range: it must be between 0 and {int.MaxValue}.");
        }

        return new ProducerStamp(producerId.Value, (int)sequence.Value);
    }
}
