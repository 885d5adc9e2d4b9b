namespace Sluice.Gateway.Records;

/// <summary>Where a read starts.</summary>
public enum ReadFrom
{
    TrimHorizon,
    Latest,
    AtSequenceNumber,
    AfterSequenceNumber,
    AtTimestamp,
}
