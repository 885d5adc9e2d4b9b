using Sluice.Gateway.Kinesis.Auth;

namespace Sluice.Gateway.Tests.Kinesis.Auth;

/// <summary>Key resolvers over a fixed set of keys: one answering at once (a cache hit), one after a real await.</summary>
internal static class TestKeys
{
    public const string SuiteAccessKeyId = "AKIDEXAMPLE";
    public const string SuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public static readonly Guid SuiteTenantId = Guid.Parse("0193a7e4-0000-7000-8000-00000000aaaa");

    public static readonly SigV4Key Suite = new(SuiteAccessKeyId, SuiteTenantId, SuiteSecret);

    public static readonly SigV4Key Kinesis = new(KinesisTestRequest.AccessKeyId, KinesisTestRequest.TenantId, KinesisTestRequest.Secret);

    public static SigV4KeyResolver Immediate(params SigV4Key[] keys)
    {
        var byId = keys.ToDictionary(k => k.AccessKeyId, StringComparer.Ordinal);
        return (id, _) => ValueTask.FromResult(byId.GetValueOrDefault(id));
    }

    public static SigV4KeyResolver Deferred(params SigV4Key[] keys)
    {
        var byId = keys.ToDictionary(k => k.AccessKeyId, StringComparer.Ordinal);
        return async (id, cancellationToken) =>
        {
            await Task.Delay(1, cancellationToken);
            return byId.GetValueOrDefault(id);
        };
    }
}
