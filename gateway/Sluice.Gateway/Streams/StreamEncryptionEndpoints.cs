using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Core;
using Sluice.Gateway.Auth;

namespace Sluice.Gateway.Streams;

/// <summary>REST: /v1/streams/{name}/encryption, encryption at rest of a stream's records.</summary>
public static class StreamEncryptionEndpoints
{
    public static RouteGroupBuilder MapStreamEncryptionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/streams/{name}/encryption").WithTags("Streams").RequireAuthorization();
        group.MapPut("/", PutAsync)
            .WithSummary("Start or stop encryption at rest")
            .WithDescription(
                "With {\"enabled\": true} new records of the stream are encrypted on the storage nodes (AES-256-GCM per batch under " +
                "the stream's data key, which the master key wraps; created the first time). keyId is recorded as given (default " +
                "alias/aws/kinesis). With {\"enabled\": false} new records are stored in plain again. Records written before either " +
                "change stay readable. Answers the stream.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/", DeleteAsync)
            .WithSummary("Stop encryption at rest")
            .WithDescription("New records of the stream are stored in plain; those written encrypted stay readable. Answers the stream.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Ok<StreamDto>> PutAsync(
        string name, StreamEncryptionBody? body, ClaimsPrincipal user, StreamAccess access, StreamEncryptionService encryption,
        StreamService streams, CancellationToken cancellationToken)
    {
        if (body?.Enabled is not { } enabled)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, "The body must say {\"enabled\": true} or {\"enabled\": false}.");
        }

        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Manage, name, cancellationToken)).Tenant;
        if (enabled)
        {
            await encryption.StartAsync(tenant, name, body.KeyId ?? StreamEncryptionService.DefaultKeyId, cancellationToken);
        }
        else
        {
            if (body.KeyId is not null)
            {
                throw new SluiceException(SluiceErrorCode.InvalidArgument, "keyId is only given when enabling encryption.");
            }

            await encryption.StopAsync(tenant, name, cancellationToken: cancellationToken);
        }

        return TypedResults.Ok(StreamDto.From(await streams.DescribeAsync(tenant, name, cancellationToken)));
    }

    private static async Task<Ok<StreamDto>> DeleteAsync(
        string name, ClaimsPrincipal user, StreamAccess access, StreamEncryptionService encryption, StreamService streams, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Manage, name, cancellationToken)).Tenant;
        await encryption.StopAsync(tenant, name, cancellationToken: cancellationToken);
        return TypedResults.Ok(StreamDto.From(await streams.DescribeAsync(tenant, name, cancellationToken)));
    }
}

/// <summary>Body of PUT /v1/streams/{name}/encryption.</summary>
/// <param name="Enabled">True to encrypt new records, false to store them in plain.</param>
/// <param name="KeyId">With enabled: the key id to record (1-2048 characters); default alias/aws/kinesis.</param>
public sealed record StreamEncryptionBody(bool? Enabled, string? KeyId = null);
