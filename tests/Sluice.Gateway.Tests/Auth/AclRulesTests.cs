using Sluice.Gateway.Auth;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Tests.Auth;

public sealed class AclRulesTests
{
    private const string Reader = "user:reader";

    private static AclEntry Entry(string principal, AclEffect effect, AclOperation operation, string pattern) =>
        new() { Id = Guid.NewGuid(), Principal = principal, Effect = effect, Operation = operation, StreamPattern = pattern };

    [Theory]
    [InlineData("orders", "orders", true)]
    [InlineData("orders", "orders-eu", false)]
    [InlineData("orders", "Orders", false)]
    [InlineData("orders-*", "orders-eu", true)]
    [InlineData("orders-*", "orders-", true)]
    [InlineData("orders-*", "orders", false)]
    [InlineData("orders-*", "xorders-eu", false)]
    [InlineData("*", "anything", true)]
    public void Patterns_match_exact_names_prefixes_and_everything(string pattern, string stream, bool matches) =>
        Assert.Equal(matches, AclRules.PatternMatches(pattern, stream));

    [Fact]
    public void Without_a_matching_allow_an_operation_is_refused()
    {
        Assert.False(AclRules.IsAllowed(Reader, isTenantAdmin: false, [], AclOperation.Consume, "orders"));
        var consumeOrders = new[] { Entry(Reader, AclEffect.Allow, AclOperation.Consume, "orders") };
        Assert.True(AclRules.IsAllowed(Reader, false, consumeOrders, AclOperation.Consume, "orders"));
        Assert.False(AclRules.IsAllowed(Reader, false, consumeOrders, AclOperation.Produce, "orders"));
        Assert.False(AclRules.IsAllowed(Reader, false, consumeOrders, AclOperation.Consume, "payments"));
        Assert.False(AclRules.IsAllowed("user:someone-else", false, consumeOrders, AclOperation.Consume, "orders"));
    }

    [Fact]
    public void A_matching_deny_wins_over_any_allow_in_either_order()
    {
        var allow = Entry("*", AclEffect.Allow, AclOperation.Produce, "orders-*");
        var deny = Entry(Reader, AclEffect.Deny, AclOperation.Produce, "orders-eu");
        Assert.False(AclRules.IsAllowed(Reader, false, [allow, deny], AclOperation.Produce, "orders-eu"));
        Assert.False(AclRules.IsAllowed(Reader, false, [deny, allow], AclOperation.Produce, "orders-eu"));
        Assert.True(AclRules.IsAllowed(Reader, false, [allow, deny], AclOperation.Produce, "orders-us"));
        Assert.True(AclRules.IsAllowed("user:writer", false, [allow, deny], AclOperation.Produce, "orders-eu"));
    }

    [Fact]
    public void A_deny_of_another_operation_does_not_refuse()
    {
        var entries = new[] { Entry(Reader, AclEffect.Allow, AclOperation.Consume, "*"), Entry(Reader, AclEffect.Deny, AclOperation.Produce, "*") };
        Assert.True(AclRules.IsAllowed(Reader, false, entries, AclOperation.Consume, "orders"));
    }

    [Fact]
    public void A_tenant_admin_may_do_everything_whatever_the_entries_say()
    {
        var deny = new[] { Entry("*", AclEffect.Deny, AclOperation.Manage, "*") };
        Assert.True(AclRules.IsAllowed("user:admin", isTenantAdmin: true, deny, AclOperation.Manage, "orders"));
        Assert.True(AclRules.IsAllowed("user:admin", isTenantAdmin: true, [], StreamAccessKind.Produce, "orders"));
    }

    [Fact]
    public void Describing_needs_any_one_of_the_three_operations()
    {
        Assert.False(AclRules.IsAllowed(Reader, false, [], StreamAccessKind.Any, "orders"));
        foreach (var operation in Enum.GetValues<AclOperation>())
        {
            Assert.True(AclRules.IsAllowed(Reader, false, [Entry(Reader, AclEffect.Allow, operation, "orders")], StreamAccessKind.Any, "orders"));
        }

        // Each operation is judged with its own denies: a denied produce does not hide an allowed consume.
        Assert.True(AclRules.IsAllowed(Reader, false,
            [Entry(Reader, AclEffect.Allow, AclOperation.Consume, "orders"), Entry(Reader, AclEffect.Deny, AclOperation.Produce, "*")],
            StreamAccessKind.Any, "orders"));
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("orders", true)]
    [InlineData("orders-*", true)]
    [InlineData("a.b_c-1*", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("**", false)]
    [InlineData("or*ders", false)]
    [InlineData("orders *", false)]
    [InlineData("orders/eu", false)]
    public void Stream_patterns_are_validated(string? pattern, bool valid) =>
        Assert.Equal(valid, AclRules.PatternProblem(pattern) is null);

    [Theory]
    [InlineData("user:alice", true, true)]
    [InlineData("service:ingest", true, true)]
    [InlineData("*", true, true)]
    [InlineData("*", false, false)]
    [InlineData("alice", true, false)]
    [InlineData("user:", true, false)]
    [InlineData("user:al ice", true, false)]
    [InlineData("group:ops", true, false)]
    public void Principal_names_are_validated(string principal, bool allowWildcard, bool valid) =>
        Assert.Equal(valid, AclRules.PrincipalProblem(principal, allowWildcard) is null);
}
