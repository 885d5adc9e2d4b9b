namespace Sluice.Metadata.Model;

/// <summary>Server-side encryption of a stream's records, as Kinesis' EncryptionType names it.</summary>
public enum StreamEncryption
{
    None,
    Kms,
}
