using System.Collections.Concurrent;
using Sluice.Gateway.Schemas;
using Sluice.Metadata;

namespace Sluice.Gateway.Tests.Schemas;

/// <summary>A registry a test fills and can make fail or hold; counts the reads it answered.</summary>
internal sealed class FakeSchemaSource : ISchemaSource
{
    private readonly ConcurrentDictionary<(Guid, string), IReadOnlyList<SubjectSchema>> _subjects = new();
    private readonly ConcurrentDictionary<(Guid, int), (string, string)> _schemas = new();
    private int _subjectReads;
    private int _schemaReads;

    /// <summary>When set, each read of a subject waits for it first.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>When set, every read throws it (what PostgreSQL being away looks like).</summary>
    public Exception? Failure { get; set; }

    public int SubjectReads => Volatile.Read(ref _subjectReads);

    public int SchemaReads => Volatile.Read(ref _schemaReads);

    public void Set(Guid tenantId, string subject, params SubjectSchema[] versions)
    {
        _subjects[(tenantId, subject)] = versions;
        foreach (var version in versions)
        {
            _schemas[(tenantId, version.SchemaId)] = (version.SchemaType, version.Schema);
        }
    }

    public async Task<IReadOnlyList<SubjectSchema>> GetLiveVersionsAsync(Guid tenantId, string subject, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _subjectReads);
        var snapshot = _subjects.GetValueOrDefault((tenantId, subject)) ?? [];
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        return snapshot;
    }

    public Task<(string SchemaType, string Schema)?> GetSchemaAsync(Guid tenantId, int id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _schemaReads);
        if (Failure is { } failure)
        {
            throw failure;
        }

        return Task.FromResult<(string, string)?>(_schemas.TryGetValue((tenantId, id), out var schema) ? schema : null);
    }
}
