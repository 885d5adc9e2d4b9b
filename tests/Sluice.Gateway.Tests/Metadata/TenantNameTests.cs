using Sluice.Metadata;

namespace Sluice.Metadata.Tests;

/// <summary>Which tenant names the admin API accepts: they travel in tokens, URLs and ARNs.</summary>
public sealed class TenantNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("acme")]
    [InlineData("acme-prod_2.eu")]
    [InlineData("0day")]
    public void Lower_case_letters_digits_dashes_underscores_and_dots_are_valid(string name)
    {
        Assert.True(TenantDirectory.IsValidName(name));
        Assert.Null(TenantDirectory.NameProblem(name));
    }

    [Fact]
    public void Sixty_four_characters_are_the_most()
    {
        Assert.True(TenantDirectory.IsValidName(new string('a', TenantDirectory.MaxNameLength)));
        Assert.False(TenantDirectory.IsValidName(new string('a', TenantDirectory.MaxNameLength + 1)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Acme")]
    [InlineData("-acme")]
    [InlineData(".acme")]
    [InlineData("ac me")]
    [InlineData("acme/x")]
    [InlineData("acmé")]
    [InlineData("acme\n")]
    public void Anything_else_is_invalid_and_the_problem_says_what_is_allowed(string? name)
    {
        Assert.False(TenantDirectory.IsValidName(name));
        Assert.Contains("a-z, 0-9", TenantDirectory.NameProblem(name), StringComparison.Ordinal);
    }
}
