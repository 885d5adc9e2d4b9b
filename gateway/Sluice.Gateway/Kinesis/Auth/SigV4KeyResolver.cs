namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>
/// Finds the active key with this id, or null when there is none (unknown, disabled, deleted, or
/// its tenant suspended). Should answer from memory most of the time (AccessKeyStore caches); an
/// exception (the key store is unreachable) propagates out of <see cref="SigV4Verifier"/>.
/// </summary>
public delegate ValueTask<SigV4Key?> SigV4KeyResolver(string accessKeyId, CancellationToken cancellationToken);
