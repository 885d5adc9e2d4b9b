namespace Sluice.Gateway.Admin;

/// <summary>The <c>action</c> values of the audit entries the admin API writes.</summary>
public static class AdminActions
{
    public const string TenantCreate = "tenant.create";
    public const string TenantSuspend = "tenant.suspend";
    public const string TenantResume = "tenant.resume";
    public const string TenantDelete = "tenant.delete";
    public const string StreamDelete = "stream.delete";
    public const string AccessKeyCreate = "access-key.create";
    public const string AccessKeyRotate = "access-key.rotate";
    public const string AccessKeyDisable = "access-key.disable";
    public const string AccessKeyEnable = "access-key.enable";
    public const string AccessKeyDelete = "access-key.delete";
}
