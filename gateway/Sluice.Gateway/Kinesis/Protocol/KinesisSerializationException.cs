namespace Sluice.Gateway.Kinesis.Protocol;

/// <summary>
/// A Kinesis request or response body that cannot be converted between the CBOR and JSON
/// protocols (see <see cref="KinesisCbor"/>). On the request path it is the client's error, which
/// Kinesis answers as HTTP 400 <c>{"__type": "SerializationException", "message": Message}</c>; on
/// the response path (a JSON document the gateway wrote itself) it is the gateway's own fault.
/// </summary>
public sealed class KinesisSerializationException : Exception
{
    /// <summary>Creates the error with a message that says what is wrong and where.</summary>
    public KinesisSerializationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error from the decoder's own exception.</summary>
    public KinesisSerializationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
