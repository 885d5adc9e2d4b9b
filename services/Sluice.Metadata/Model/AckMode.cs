namespace Sluice.Metadata.Model;

/// <summary>
/// When a write is acknowledged: once every in-sync replica has it (<see cref="All"/>, refused when
/// the ISR is smaller than the stream's min in-sync replicas), once the leader has it
/// (<see cref="Leader"/>), or as soon as it was sent (<see cref="None"/>).
/// </summary>
public enum AckMode
{
    All,
    Leader,
    None,
}
