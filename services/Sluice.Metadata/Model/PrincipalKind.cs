namespace Sluice.Metadata.Model;

/// <summary>Who a principal is: a person signing in through an OIDC issuer, or a service account using access keys.</summary>
public enum PrincipalKind
{
    User,
    ServiceAccount,
}
