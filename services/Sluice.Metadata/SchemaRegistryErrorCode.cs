namespace Sluice.Metadata;

/// <summary>
/// Confluent Schema Registry's error codes, which its clients switch on: the HTTP status is the code divided by 100
/// (but for <see cref="Incompatible"/>, which is 409 itself). Sluice answers with the same codes so that a Confluent client
/// behaves against it as against Confluent's registry.
/// </summary>
public static class SchemaRegistryErrorCode
{
    public const int Unauthenticated = 40101;
    public const int Forbidden = 40301;
    public const int SubjectNotFound = 40401;
    public const int VersionNotFound = 40402;
    public const int SchemaNotFound = 40403;
    public const int SubjectSoftDeleted = 40404;
    public const int SubjectNotSoftDeleted = 40405;
    public const int VersionSoftDeleted = 40406;
    public const int VersionNotSoftDeleted = 40407;
    public const int SubjectCompatibilityNotConfigured = 40408;
    public const int SubjectModeNotConfigured = 40409;
    public const int Incompatible = 409;
    public const int InvalidSchema = 42201;
    public const int InvalidVersion = 42202;
    public const int InvalidCompatibilityLevel = 42203;
    public const int InvalidMode = 42204;
    public const int OperationNotPermitted = 42205;
    public const int InvalidSubject = 42208;
    public const int StoreError = 50001;

    /// <summary>The HTTP status that carries <paramref name="errorCode"/>.</summary>
    public static int HttpStatus(int errorCode) => errorCode < 1000 ? errorCode : errorCode / 100;
}
