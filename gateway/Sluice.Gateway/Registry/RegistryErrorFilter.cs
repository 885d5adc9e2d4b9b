using Sluice.Core;
using Sluice.Metadata;

namespace Sluice.Gateway.Registry;

/// <summary>
/// Turns every failure of a registry endpoint into Confluent's error shape, <c>{"error_code", "message"}</c>, which its clients read:
/// the registry's own refusals with their codes; an unauthenticated or refused caller 40101 / 40301; PostgreSQL unreachable or
/// failing, or anything unexpected, 50001 (the store's transactions leave nothing half-written). Never the gateway's problem+json.
/// </summary>
internal sealed partial class RegistryErrorFilter(ILogger<RegistryErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context);
        }
        catch (SchemaRegistryException ex)
        {
            if (ex.ErrorCode == SchemaRegistryErrorCode.StoreError)
            {
                LogStoreError(logger, ex, context.HttpContext.Request.Path);
            }

            return RegistryHttp.Error(ex.ErrorCode, ex.Message);
        }
        catch (SluiceException ex) when (ex.Code == SluiceErrorCode.Unauthenticated)
        {
            return RegistryHttp.Error(SchemaRegistryErrorCode.Unauthenticated, ex.Message);
        }
        catch (SluiceException ex) when (ex.Code == SluiceErrorCode.PermissionDenied)
        {
            return RegistryHttp.Error(SchemaRegistryErrorCode.Forbidden, ex.Message);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogStoreError(logger, ex, context.HttpContext.Request.Path);
            return RegistryHttp.Error(SchemaRegistryErrorCode.StoreError, "Error in the backend data store: the schema registry's store is unavailable; retry later.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Schema registry store error on {Path}")]
    private static partial void LogStoreError(ILogger logger, Exception exception, string path);
}
