using Sluice.Metadata;

namespace Sluice.Metadata.Tests;

/// <summary>The <c>sluice_access</c> NOTIFY payload: round trip, and payloads a listener must ignore.</summary>
public sealed class AccessChangeTests
{
    [Fact]
    public void Tenant_and_access_key_changes_round_trip_through_their_payload()
    {
        var tenant = AccessChange.Tenant(Guid.Parse("0195f0a2-1111-7222-8333-944455556666"));
        var key = AccessChange.AccessKey("SLUABCDEFGHIJKLMNOPQ");

        Assert.Equal("tenant/0195f0a2-1111-7222-8333-944455556666", tenant.ToPayload());
        Assert.Equal("access-key/SLUABCDEFGHIJKLMNOPQ", key.ToPayload());
        Assert.True(AccessChange.TryParse(tenant.ToPayload(), out var parsedTenant));
        Assert.Equal(tenant, parsedTenant);
        Assert.True(AccessChange.TryParse(key.ToPayload(), out var parsedKey));
        Assert.Equal(key, parsedKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tenant/")]
    [InlineData("tenant/not-a-guid")]
    [InlineData("access-key/")]
    [InlineData("access-key/slu-lower-case-id-xx")]
    [InlineData("access-key/SLUTOOSHORT")]
    [InlineData("principal/0195f0a2-1111-7222-8333-944455556666")]
    [InlineData("1/0/1/1")]
    public void Anything_else_is_not_an_access_change(string payload)
    {
        Assert.False(AccessChange.TryParse(payload, out _));
    }
}
