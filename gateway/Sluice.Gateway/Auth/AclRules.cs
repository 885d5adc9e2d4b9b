using Sluice.Metadata.Model;

namespace Sluice.Gateway.Auth;

/// <summary>
/// How ACL entries decide: a tenant admin may do everything in its tenant; otherwise an operation needs an Allow entry that matches
/// the principal (its name or <c>*</c>), the operation and the stream (exact name, <c>prefix*</c> or <c>*</c>), and no matching Deny
/// entry — a deny always wins. No match is a refusal.
/// </summary>
public static class AclRules
{
    /// <summary>The pattern that matches every stream, and the principal name that matches every principal.</summary>
    public const string Wildcard = "*";

    /// <summary>The longest pattern or principal name an entry may hold.</summary>
    public const int MaxLength = 256;

    /// <summary>True when <paramref name="pattern"/> (exact, <c>prefix*</c> or <c>*</c>) matches <paramref name="stream"/>.</summary>
    public static bool PatternMatches(string pattern, string stream)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(stream);
        return pattern.EndsWith('*')
            ? stream.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
            : string.Equals(pattern, stream, StringComparison.Ordinal);
    }

    /// <summary>True when an entry naming <paramref name="entryPrincipal"/> applies to <paramref name="principal"/>.</summary>
    public static bool PrincipalMatches(string entryPrincipal, string principal) =>
        entryPrincipal == Wildcard || string.Equals(entryPrincipal, principal, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="principal"/> may perform <paramref name="operation"/> on <paramref name="stream"/>.</summary>
    public static bool IsAllowed(string principal, bool isTenantAdmin, IReadOnlyList<AclEntry> entries, AclOperation operation, string stream)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (isTenantAdmin)
        {
            return true;
        }

        var allowed = false;
        foreach (var entry in entries)
        {
            if (entry.Operation != operation || !PrincipalMatches(entry.Principal, principal) || !PatternMatches(entry.StreamPattern, stream))
            {
                continue;
            }

            if (entry.Effect == AclEffect.Deny)
            {
                return false;
            }

            allowed = true;
        }

        return allowed;
    }

    /// <summary>Whether <paramref name="principal"/> may perform what <paramref name="access"/> names (for Any: one of the three) on the stream.</summary>
    public static bool IsAllowed(string principal, bool isTenantAdmin, IReadOnlyList<AclEntry> entries, StreamAccessKind access, string stream) => access switch
    {
        StreamAccessKind.Produce => IsAllowed(principal, isTenantAdmin, entries, AclOperation.Produce, stream),
        StreamAccessKind.Consume => IsAllowed(principal, isTenantAdmin, entries, AclOperation.Consume, stream),
        StreamAccessKind.Manage => IsAllowed(principal, isTenantAdmin, entries, AclOperation.Manage, stream),
        StreamAccessKind.Any => IsAllowed(principal, isTenantAdmin, entries, AclOperation.Produce, stream)
            || IsAllowed(principal, isTenantAdmin, entries, AclOperation.Consume, stream)
            || IsAllowed(principal, isTenantAdmin, entries, AclOperation.Manage, stream),
        _ => throw new ArgumentOutOfRangeException(nameof(access), access, null),
    };

    /// <summary>
    /// Null when <paramref name="pattern"/> is a valid stream pattern: <c>*</c>, a stream name, or a non-empty stream-name prefix followed by
    /// one <c>*</c> (stream names are 1–128 of <c>a-zA-Z0-9_.-</c>); else why not.
    /// </summary>
    public static string? PatternProblem(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            return "The stream pattern is required: a stream name, a prefix ending in '*', or '*'.";
        }

        if (pattern == Wildcard)
        {
            return null;
        }

        var name = pattern.EndsWith('*') ? pattern[..^1] : pattern;
        if (name.Length is 0 or > 128)
        {
            return $"The stream pattern '{pattern}' must name 1 to 128 characters of a stream name, optionally followed by '*'.";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                return $"The stream pattern '{pattern}' may hold only a-z, A-Z, 0-9, '_', '.', '-' and one '*' at its end.";
            }
        }

        return null;
    }

    /// <summary>Null when <paramref name="principal"/> is a valid principal name of an ACL entry (<c>user:…</c>, <c>service:…</c> or <c>*</c>); else why not.</summary>
    public static string? PrincipalProblem(string? principal, bool allowWildcard)
    {
        if (allowWildcard && principal == Wildcard)
        {
            return null;
        }

        if (string.IsNullOrEmpty(principal) || principal.Length > MaxLength
            || !(principal.StartsWith("user:", StringComparison.Ordinal) || principal.StartsWith("service:", StringComparison.Ordinal))
            || principal.EndsWith(':')
            || principal.Any(char.IsControl) || principal.Any(char.IsWhiteSpace))
        {
            return $"The principal must be 'user:<subject>' or 'service:<name>'{(allowWildcard ? " or '*'" : "")} (at most {MaxLength} characters, no spaces); got '{principal}'.";
        }

        return null;
    }
}
