using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Sluice.Controller;
using Sluice.Gateway;
using Sluice.Gateway.Admin;
using Sluice.Gateway.Auth;
using Sluice.Gateway.Errors;
using Sluice.Gateway.Health;
using Sluice.Gateway.Kinesis;
using OpenTelemetry.Metrics;
using Sluice.Gateway.Observability;
using Sluice.Gateway.Quotas;
using Sluice.Gateway.Records;
using Sluice.Gateway.Registry;
using Sluice.Gateway.Routing;
using Sluice.Gateway.Schemas;
using Sluice.Gateway.Streams;
using Sluice.Metadata;

// Needs no configuration at all: a development certificate for the TLS port.
if (args.Length > 0 && args[0] == "tls-cert")
{
    return await TlsCertificateCommand.RunAsync(args, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
// Subcommands of the gateway binary used by operators and the dev cluster; they print to stdout.
var isTokenCommand = args.Length > 0 && args[0] is "token" or "access-key";
if (isTokenCommand)
{
    // The token is the only thing on stdout, so scripts can capture it.
    builder.Logging.ClearProviders();
    builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
}

var connectionString = builder.Configuration.GetConnectionString("Metadata")
    ?? throw new InvalidOperationException("ConnectionStrings:Metadata is not set.");
var gateway = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();

builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations()
    .Validate(o => { try { return o.SigningKeyBytes().Length >= 32; } catch (FormatException) { return false; } },
        "Sluice:Auth:SigningKey must be base64 of at least 32 bytes.")
    .ValidateOnStart();
builder.Services.AddSluiceMetadata(connectionString, new CatalogOptions
{
    MaxShardsPerStream = gateway.MaxShardsPerStream,
    NodeLease = gateway.NodeLease,
});
var protection = builder.Configuration.GetSection(SecretProtectionOptions.Section).Get<SecretProtectionOptions>() ?? new SecretProtectionOptions();
builder.Services.AddSingleton(protection);
builder.Services.AddSluiceAccessKeys(protection);
builder.Services.AddKinesisApi(builder.Configuration);
builder.Services.AddSingleton<TokenIssuer>();
builder.Services.AddSingleton<TenantResolver>();
builder.Services.AddSingleton<AccessControlListener>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<AccessControlListener>());
builder.Services.AddSingleton<AccessControlCache>();
builder.Services.AddSingleton<CallerResolver>();
builder.Services.AddSingleton<StreamAccess>();
builder.Services.AddShardChangeListener();
builder.Services.AddSingleton<StreamRouter>();
builder.Services.AddSingleton(builder.Configuration.GetSection(Sluice.Core.InternalTlsOptions.Section).Get<Sluice.Core.InternalTlsOptions>() ?? new Sluice.Core.InternalTlsOptions());
builder.Services.AddSingleton<StorageClients>();
builder.Services.AddSingleton<StreamService>();
builder.Services.AddSingleton(new StreamDataKeys(protection));
builder.Services.AddSingleton<StreamEncryptionService>();
builder.Services.AddSchemaChangeListener();
builder.Services.AddSingleton<SchemaCache>();
builder.Services.AddSingleton<RecordDecoder>();
builder.Services.AddSingleton<StreamSchemaService>();
builder.Services.AddOptions<StreamLifecycleOptions>().BindConfiguration(StreamLifecycleOptions.Section).ValidateDataAnnotations()
    .Validate(o => o.HasValidDurations(), "Sluice:Lifecycle durations must be positive.")
    .ValidateOnStart();
builder.Services.AddSingleton<StreamLifecycle>();
builder.Services.AddHostedService<StreamLifecycleService>();
builder.Services.AddSluiceQuotas(builder.Configuration);
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(GatewayMetrics.MeterName).AddPrometheusExporter());
builder.Services.AddSingleton<RecordService>();
builder.Services.AddSingleton<ProducerIds>();
builder.Services.AddSingleton<ShardSealer>();
builder.Services.AddSingleton<ReshardService>();
builder.Services.AddSingleton<ClusterRebalancer>();
builder.Services.AddAdminApi();
builder.Services.AddSingleton<RegistryAuthenticator>();

builder.Services.AddSluiceAuthentication(auth, isTokenCommand);
builder.Services.AddAuthorization(authorization =>
{
    AdminPolicy.Add(authorization, auth);
    TenantAdminPolicy.Add(authorization);
});
builder.Services.AddHttpContextAccessor();
builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, TenantAdminPolicy.Handler>();
builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, TenantAdminResultHandler>();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<SluiceExceptionHandler>();
builder.Services.AddGrpc(o =>
{
    o.Interceptors.Add<GrpcErrorInterceptor>();
    o.MaxReceiveMessageSize = 8 * 1024 * 1024; // 5 MiB of records plus framing
    o.MaxSendMessageSize = 16 * 1024 * 1024;
});
builder.Services.AddEndpointsApiExplorer();
builder.Services.AddSwaggerGen(swagger =>
{
    swagger.SwaggerDoc("v1", new() { Title = "Sluice REST API", Version = "v1", Description = "Streams and records. Authenticate with a bearer token (JWT) naming your tenant." });
});
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);

builder.WebHost.ConfigureKestrel(kestrel =>
{
    var address = IPAddress.Parse(gateway.ListenAddress);
    X509Certificate2? certificate = null;
    if ((gateway.HttpsPort > 0 || gateway.TlsOnAllListeners) && !isTokenCommand)
    {
        if (string.IsNullOrEmpty(gateway.TlsCertificatePath) || string.IsNullOrEmpty(gateway.TlsKeyPath))
        {
            throw new InvalidOperationException(
                "Sluice:Gateway:HttpsPort and Sluice:Gateway:TlsOnAllListeners need Sluice:Gateway:TlsCertificatePath and Sluice:Gateway:TlsKeyPath (PEM files).");
        }

        certificate = X509Certificate2.CreateFromPemFile(gateway.TlsCertificatePath, gateway.TlsKeyPath);
    }

    var everyListener = gateway.TlsOnAllListeners ? certificate : null;
    kestrel.Listen(address, gateway.HttpPort, l =>
    {
        l.Protocols = HttpProtocols.Http1;
        if (everyListener is not null)
        {
            l.UseHttps(everyListener);
        }
    });
    kestrel.Listen(address, gateway.GrpcPort, l =>
    {
        l.Protocols = HttpProtocols.Http2;
        if (everyListener is not null)
        {
            l.UseHttps(everyListener);
        }
    });
    if (gateway.HttpsPort > 0 && certificate is not null)
    {
        kestrel.Listen(address, gateway.HttpsPort, l =>
        {
            l.Protocols = HttpProtocols.Http1AndHttp2;
            l.UseHttps(certificate);
        });
    }
    kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
});

var app = builder.Build();

if (isTokenCommand)
{
    return args[0] switch
    {
        "token" => await TokenCommand.RunAsync(app.Services, args, Console.Out, Console.Error),
        _ => await AccessKeyCommand.RunAsync(app.Services, args, Console.Out, Console.Error),
    };
}

await app.Services.GetRequiredService<MetadataDatabase>().MigrateAsync(gateway.StartupWait);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSwagger();
app.UseSwaggerUI(ui => ui.SwaggerEndpoint("/swagger/v1/swagger.json", "Sluice v1"));
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
app.MapKinesisApi();
app.MapStreamsApi();
app.MapStreamEncryptionApi();
app.MapStreamSchemaApi();
app.MapReshardApi();
app.MapClusterAdminApi();
app.MapTenantAdminApi();
app.MapAccessKeyAdminApi();
app.MapAuditAdminApi();
app.MapAccessControlAdminApi();
app.MapQuotaAdminApi();
app.MapRecordsApi();
app.MapSchemaRegistryApi();
app.MapGrpcService<StreamsGrpcService>();
app.MapGrpcService<RecordsGrpcService>();

await app.RunAsync();
return 0;
