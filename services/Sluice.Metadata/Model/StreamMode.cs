namespace Sluice.Metadata.Model;

/// <summary>A stream's capacity mode, as Kinesis' StreamModeDetails names it.</summary>
public enum StreamMode
{
    Provisioned,
    OnDemand,
}
