using System.Text.Json;
using System.Text.Json.Serialization;
using Sluice.Cli.Commands.Bench;

namespace Sluice.Cli.Commands.Acl;

// The parts of the gateway's /admin/v1/tenants/{tenant}/acls JSON that `sluice acl` reads and writes (camelCase).

internal sealed record AclEntry(Guid Id, string Principal, string Effect, string Operation, string StreamPattern, DateTimeOffset CreatedAt);

internal sealed record AclList(List<AclEntry> Entries);

internal sealed record AddAcl(string Principal, string Effect, string Operation, string StreamPattern);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AclEntry))]
[JsonSerializable(typeof(AclList))]
[JsonSerializable(typeof(AddAcl))]
internal sealed partial class AclJsonContext : JsonSerializerContext;
