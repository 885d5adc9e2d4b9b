using System.Collections.Frozen;

namespace Sluice.Gateway.Schemas;

/// <summary>
/// What a subject's records are checked against at one moment: its live versions by schema id, and the latest of
/// them, which plain JSON records are checked against. Immutable; the cache replaces it whole when the subject changes.
/// </summary>
public sealed class SubjectSnapshot
{
    private readonly FrozenDictionary<int, LiveSchemaVersion> _bySchemaId;

    /// <param name="subject">The subject's name.</param>
    /// <param name="versions">Its live versions, oldest first (empty when it has none).</param>
    public SubjectSnapshot(string subject, IReadOnlyList<LiveSchemaVersion> versions)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(versions);
        Subject = subject;
        Versions = versions;
        // One schema may be registered as several versions of a subject: its latest version names it.
        var byId = new Dictionary<int, LiveSchemaVersion>();
        foreach (var version in versions)
        {
            byId[version.SchemaId] = version;
        }

        _bySchemaId = byId.ToFrozenDictionary();
        Latest = versions.Count == 0 ? null : versions[^1];
        NoLiveVersion = $"subject '{subject}' has no live schema version, so no record is accepted: register a schema under it, or unbind the stream from it";
    }

    public string Subject { get; }

    /// <summary>The live versions, oldest first.</summary>
    public IReadOnlyList<LiveSchemaVersion> Versions { get; }

    /// <summary>The newest live version; null when the subject has none left (every record is refused then).</summary>
    public LiveSchemaVersion? Latest { get; }

    /// <summary>The message every record is refused with when there is no live version.</summary>
    public string NoLiveVersion { get; }

    /// <summary>The live version whose schema has <paramref name="schemaId"/>; false for any other id (unknown, another subject's, another tenant's, deleted).</summary>
    public bool TryGetVersion(int schemaId, out LiveSchemaVersion version) => _bySchemaId.TryGetValue(schemaId, out version!);

    /// <summary>The message of a record whose header names a schema id that is not a live version of the subject.</summary>
    public string NotAVersion(int schemaId) => $"schema id {schemaId} is not a version of subject '{Subject}'";
}
