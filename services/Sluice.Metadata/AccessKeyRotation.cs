namespace Sluice.Metadata;

/// <summary>What <see cref="AccessKeyStore.RotateAsync"/> did: the new key (with its only copy of the secret) and the old key's id, now disabled.</summary>
public sealed record AccessKeyRotation(NewAccessKey NewKey, string ReplacedAccessKeyId);
