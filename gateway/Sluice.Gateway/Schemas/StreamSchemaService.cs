using Microsoft.EntityFrameworkCore;
using Sluice.Core;
using Sluice.Gateway.Streams;
using Sluice.Metadata;
using Sluice.Metadata.Model;
using Sluice.Schemas;

namespace Sluice.Gateway.Schemas;

/// <summary>
/// Binds streams to registry subjects and unbinds them (no method is called <c>BindAsync</c>: minimal APIs would take the
/// service for a bindable parameter type), for every face (REST, gRPC, and so the CLI). Once bound, every
/// record put to the stream is checked against the subject's live versions (<see cref="RecordSchemaCheck"/>). A change
/// is announced on the shard-change channel, as encryption is, so every gateway drops its cached route of the stream
/// and checks the very next put by the new binding.
/// </summary>
public sealed class StreamSchemaService(
    StreamService streams, SchemaRegistryStore registry, IDbContextFactory<MetadataDbContext> contexts)
{
    /// <summary>
    /// Binds the stream to <paramref name="subject"/>, which must have a live version, and, with
    /// <paramref name="compatibility"/>, sets the level the subject's new versions are checked with.
    /// </summary>
    public async Task<StreamSchemaBinding> SetBindingAsync(Tenant tenant, string stream, string? subject, string? compatibility, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ValidateSubject(subject);
        string? level = null;
        if (compatibility is not null)
        {
            level = CompatibilityLevels.TryParse(compatibility, out var parsed)
                ? parsed.ToWire()
                : throw new SluiceException(SluiceErrorCode.InvalidArgument,
                    $"Compatibility '{compatibility}' is not one of {string.Join(", ", Enum.GetValues<CompatibilityLevel>().Select(l => l.ToWire()))}.");
        }

        // A missing stream (or another tenant's) answers as such before anything about the subject is said.
        await streams.DescribeAsync(tenant, stream, cancellationToken);
        var versions = await Guard(() => registry.GetLiveVersionsAsync(tenant.Id, subject!, cancellationToken));
        if (versions.Count == 0)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"Subject '{subject}' has no live schema version: register a schema first (POST /schema-registry/subjects/{subject}/versions), then bind the stream to it.");
        }

        await streams.UpdateAndAnnounceAsync(tenant, stream, s => s.SchemaSubject = subject, cancellationToken);
        if (level is not null)
        {
            await Guard(async () =>
            {
                await registry.SetCompatibilityAsync(tenant.Id, subject!, level, cancellationToken);
                return true;
            });
        }

        return await BindingOfAsync(tenant.Id, stream, subject!, versions, cancellationToken);
    }

    /// <summary>The stream's binding; <see cref="SluiceErrorCode.NotFound"/> when the stream is missing or not bound.</summary>
    public async Task<StreamSchemaBinding> GetBindingAsync(Tenant tenant, string stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var definition = await streams.DescribeAsync(tenant, stream, cancellationToken);
        if (definition.SchemaSubject is not { } subject)
        {
            throw new SluiceException(SluiceErrorCode.NotFound,
                $"Stream {stream} under account {tenant.AccountId} is not bound to a schema subject.");
        }

        var versions = await Guard(() => registry.GetLiveVersionsAsync(tenant.Id, subject, cancellationToken));
        return await BindingOfAsync(tenant.Id, stream, subject, versions, cancellationToken);
    }

    /// <summary>Unbinds the stream (a stream not bound stays so): its records are no longer checked. Returns the stream.</summary>
    public async Task<StreamDefinition> ClearBindingAsync(Tenant tenant, string stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        await streams.UpdateAndAnnounceAsync(tenant, stream, s => s.SchemaSubject = null, cancellationToken);
        return await streams.DescribeAsync(tenant, stream, cancellationToken);
    }

    private static void ValidateSubject(string? subject)
    {
        if (string.IsNullOrEmpty(subject) || subject.Length > SchemaRegistryStore.MaxSubjectLength || subject.Any(char.IsControl))
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"The subject must be 1 to {SchemaRegistryStore.MaxSubjectLength} characters without control characters.");
        }
    }

    private async Task<StreamSchemaBinding> BindingOfAsync(
        Guid tenantId, string stream, string subject, IReadOnlyList<SubjectSchema> versions, CancellationToken cancellationToken)
    {
        var compatibility = await Guard(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await db.SubjectConfigs.AsNoTracking()
                .Where(c => c.TenantId == tenantId && c.Subject == subject)
                .Select(c => c.Compatibility)
                .SingleOrDefaultAsync(cancellationToken);
        });
        var latest = versions.Count == 0 ? null : versions[^1];
        return new StreamSchemaBinding(stream, subject, compatibility, latest?.Version, latest?.SchemaId, latest?.SchemaType);
    }

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, "The metadata store is unavailable; retry later.", ex);
        }
    }
}
