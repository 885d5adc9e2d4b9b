namespace Sluice.Metadata;

/// <summary>
/// A schema registry request the registry refuses, with Confluent's error code (<see cref="SchemaRegistryErrorCode"/>) and a
/// message in Confluent's words, which the REST face answers as <c>{"error_code", "message"}</c>.
/// </summary>
public sealed class SchemaRegistryException : Exception
{
    public SchemaRegistryException()
        : this(SchemaRegistryErrorCode.StoreError, "Error in the schema registry's store.")
    {
    }

    public SchemaRegistryException(string message)
        : this(SchemaRegistryErrorCode.StoreError, message)
    {
    }

    public SchemaRegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = SchemaRegistryErrorCode.StoreError;
    }

    public SchemaRegistryException(int errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>One of <see cref="SchemaRegistryErrorCode"/>.</summary>
    public int ErrorCode { get; }

    /// <summary>For <see cref="SchemaRegistryErrorCode.Incompatible"/>: each reason, one sentence each.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    public static SchemaRegistryException SubjectNotFound(string subject) =>
        new(SchemaRegistryErrorCode.SubjectNotFound, $"Subject '{subject}' not found.");

    public static SchemaRegistryException VersionNotFound(string subject, string version) =>
        new(SchemaRegistryErrorCode.VersionNotFound, $"Version {version} not found.");

    public static SchemaRegistryException SchemaNotFound() =>
        new(SchemaRegistryErrorCode.SchemaNotFound, "Schema not found");

    public static SchemaRegistryException InvalidSchema(string reason) =>
        new(SchemaRegistryErrorCode.InvalidSchema, $"Invalid schema: {reason}");

    public static SchemaRegistryException InvalidVersion(string version) =>
        new(SchemaRegistryErrorCode.InvalidVersion,
            $"The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
}
