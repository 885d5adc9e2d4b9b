using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Sluice.Controller;
using Sluice.Core;
using Sluice.Log;
using Sluice.Metadata;
using Sluice.StorageNode;
using Sluice.StorageNode.Internal;

var builder = WebApplication.CreateBuilder(args);

var connectionString = builder.Configuration.GetConnectionString("Metadata")
    ?? throw new InvalidOperationException("ConnectionStrings:Metadata is not set.");
var node = builder.Configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
ThreadPool.SetMinThreads(Math.Max(minWorkers, node.MinThreads), minIo);

builder.Services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<LogSettings>().BindConfiguration(LogSettings.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSluiceMetadata(connectionString);
builder.Services.AddShardChangeListener();
builder.Services.AddSluiceController(builder.Configuration);
builder.Services.AddSingleton(sp =>
{
    var settings = sp.GetRequiredService<IOptions<LogSettings>>().Value;
    var options = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
    return new LogStore(Path.GetFullPath(options.DataDir), settings.ToLogOptions(Sluice.Core.Limits.DefaultRetentionHours),
        sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>());
});
builder.Services.AddOptions<ReplicationOptions>().BindConfiguration(ReplicationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton(builder.Configuration.GetSection(SecretProtectionOptions.Section).Get<SecretProtectionOptions>() ?? new SecretProtectionOptions());
builder.Services.AddSingleton<StreamKeyRing>();
builder.Services.AddSingleton<ReplicaManager>();
builder.Services.AddSingleton(builder.Configuration.GetSection(InternalTlsOptions.Section).Get<InternalTlsOptions>() ?? new InternalTlsOptions());
builder.Services.AddSingleton<PeerClients>();
builder.Services.AddSingleton<FetchSignals>();
builder.Services.AddSingleton<ReplicaFetchers>();
builder.Services.AddHostedService<ReplicaRoleService>();
builder.Services.AddSingleton<NodeHeartbeatService>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeHeartbeatService>());
builder.Services.AddHostedService<MaintenanceService>();
builder.Services.AddGrpc(o =>
{
    // A PutRecords call carries up to 5 MiB of records, plus framing.
    o.MaxReceiveMessageSize = 16 * 1024 * 1024;
    o.MaxSendMessageSize = 16 * 1024 * 1024;
});

builder.WebHost.ConfigureKestrel(kestrel =>
{
    var address = System.Net.IPAddress.Parse(node.ListenAddress);
    if (node.UsesTls && string.IsNullOrEmpty(node.TlsKeyPath))
    {
        throw new InvalidOperationException("Sluice:Node:TlsCertificatePath needs Sluice:Node:TlsKeyPath (PEM files).");
    }

    var certificate = node.UsesTls
        ? System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(node.TlsCertificatePath!, node.TlsKeyPath)
        : null;
    kestrel.Listen(address, node.GrpcPort, l =>
    {
        l.Protocols = HttpProtocols.Http2;
        if (certificate is not null)
        {
            l.UseHttps(certificate);
        }
    });
    kestrel.Listen(address, node.HttpPort, l => l.Protocols = HttpProtocols.Http1);
});

var app = builder.Build();

await app.Services.GetRequiredService<MetadataDatabase>().MigrateAsync(node.StartupWait);

app.MapGrpcService<StorageNodeService>();
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapGet("/readyz", async (MetadataDatabase database, NodeHeartbeatService heartbeat, CancellationToken cancellationToken) =>
{
    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    timeout.CancelAfter(TimeSpan.FromSeconds(2));
    var metadata = await database.IsReachableAsync(timeout.Token);
    var registered = heartbeat.NodeEpoch > 0;
    var body = new { status = metadata && registered ? "ready" : "not-ready", metadata, registered, nodeEpoch = heartbeat.NodeEpoch };
    return metadata && registered ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
});

await app.RunAsync();
