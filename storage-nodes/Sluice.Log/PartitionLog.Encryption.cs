namespace Sluice.Log;

public sealed partial class PartitionLog
{
    private LogEncryption _encryption = LogEncryption.None;

    /// <summary>
    /// The keys of this log: new appends are sealed with <see cref="LogEncryption.EncryptWith"/> (in plain when it is
    /// null), and reads open encrypted batches with the key their version names. Replicated batches are stored as
    /// they come, sealed or not, and need no key. Set it before the first append that must be encrypted: an append
    /// takes the value current when it is called. A read of a batch whose key is not here, or whose ciphertext fails
    /// authentication, fails like a read of corrupt data; nothing of such a batch is returned.
    /// </summary>
    public LogEncryption Encryption
    {
        get => Volatile.Read(ref _encryption);
        set => Volatile.Write(ref _encryption, value ?? throw new ArgumentNullException(nameof(value)));
    }
}
