using Sluice.Core;

namespace Sluice.Gateway.Kinesis;

/// <summary>
/// An error in Kinesis' own terms: answered as HTTP <see cref="StatusCode"/> with
/// <c>{"__type": Type, "message": Message}</c>.
/// </summary>
public sealed class KinesisException(string type, string message, int statusCode = StatusCodes.Status400BadRequest) : Exception(message)
{
    public const string ResourceNotFound = "ResourceNotFoundException";
    public const string ResourceInUse = "ResourceInUseException";
    public const string InvalidArgument = "InvalidArgumentException";
    public const string LimitExceeded = "LimitExceededException";
    public const string ExpiredIterator = "ExpiredIteratorException";
    public const string Validation = "ValidationException";
    public const string Serialization = "SerializationException";
    public const string UnknownOperation = "UnknownOperationException";
    public const string InternalFailure = "InternalFailure";
    public const string ServiceUnavailable = "ServiceUnavailable";
    public const string AccessDenied = "AccessDeniedException";
    public const string ProvisionedThroughputExceeded = "ProvisionedThroughputExceededException";

    public string Type { get; } = type;

    public int StatusCode { get; } = statusCode;

    /// <summary>The Kinesis answer to an error of the application core.</summary>
    public static KinesisException From(SluiceException error) => error.Code switch
    {
        SluiceErrorCode.NotFound => new(ResourceNotFound, error.Message),
        SluiceErrorCode.AlreadyExists => new(ResourceInUse, error.Message),
        SluiceErrorCode.InvalidArgument or SluiceErrorCode.PositionTrimmed => new(InvalidArgument, error.Message),
        SluiceErrorCode.Unavailable => new(ServiceUnavailable, error.Message, StatusCodes.Status503ServiceUnavailable),
        SluiceErrorCode.Unauthenticated => new("UnrecognizedClientException", error.Message),
        SluiceErrorCode.PermissionDenied => new(AccessDenied, error.Message),
        SluiceErrorCode.ResourceInUse => new(ResourceInUse, error.Message),
        // Kinesis answers puts, iterators and reads of a CREATING or DELETING stream as if it did not exist.
        SluiceErrorCode.StreamNotActive => new(ResourceNotFound, error.Message),
        SluiceErrorCode.LimitExceeded => new(LimitExceeded, error.Message),
        SluiceErrorCode.Throttled => new(ProvisionedThroughputExceeded, error.Message),
        SluiceErrorCode.NotSupported => new(Validation, error.Message),
        _ => new(InternalFailure, "Internal service failure.", StatusCodes.Status500InternalServerError),
    };
}
