namespace Sluice.Metadata.Model;

/// <summary>Kinesis stream states.</summary>
public enum StreamStatus
{
    Creating,
    Active,
    Updating,
    Deleting,
}
