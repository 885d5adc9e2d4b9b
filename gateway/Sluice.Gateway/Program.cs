using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
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
using Sluice.Gateway.Routing;
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
builder.Services.AddShardChangeListener();
builder.Services.AddSingleton<StreamRouter>();
builder.Services.AddSingleton<StorageClients>();
builder.Services.AddSingleton<StreamService>();
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

builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
{
    jwt.MapInboundClaims = false;
    jwt.TokenValidationParameters = new TokenValidationParameters
    {
        ValidIssuer = auth.Issuer,
        ValidAudience = auth.Audience,
        IssuerSigningKey = isTokenCommand || string.IsNullOrEmpty(auth.SigningKey) ? null : new SymmetricSecurityKey(auth.SigningKeyBytes()),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = auth.ClockSkew,
        RequireExpirationTime = true,
    };
    jwt.Events = new JwtBearerEvents
    {
        OnChallenge = async context =>
        {
            // REST callers get problem+json saying what was wrong; gRPC callers get UNAUTHENTICATED.
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                return;
            }

            context.HandleResponse();
            var detail = context.AuthenticateFailure switch
            {
                SecurityTokenExpiredException => "The bearer token has expired.",
                null when string.IsNullOrEmpty(context.Request.Headers.Authorization) => "A bearer token is required (Authorization: Bearer <token>).",
                _ => "The bearer token is invalid.",
            };
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsJsonAsync(
                new { type = "about:blank", title = "Unauthenticated", status = 401, detail }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        },
        OnForbidden = async context =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                return;
            }

            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(
                new { type = "about:blank", title = "Forbidden", status = 403, detail = $"This endpoint needs a token with the '{auth.PlatformAdminRole}' role." },
                (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        },
    };
});
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
    kestrel.Listen(address, gateway.HttpPort, l => l.Protocols = HttpProtocols.Http1);
    kestrel.Listen(address, gateway.GrpcPort, l => l.Protocols = HttpProtocols.Http2);
    if (gateway.HttpsPort > 0 && !isTokenCommand)
    {
        if (string.IsNullOrEmpty(gateway.TlsCertificatePath) || string.IsNullOrEmpty(gateway.TlsKeyPath))
        {
            throw new InvalidOperationException("Sluice:Gateway:HttpsPort needs Sluice:Gateway:TlsCertificatePath and Sluice:Gateway:TlsKeyPath (PEM files).");
        }

        var certificate = X509Certificate2.CreateFromPemFile(gateway.TlsCertificatePath, gateway.TlsKeyPath);
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
app.MapReshardApi();
app.MapClusterAdminApi();
app.MapQuotaAdminApi();
app.MapRecordsApi();
app.MapGrpcService<StreamsGrpcService>();
app.MapGrpcService<RecordsGrpcService>();

await app.RunAsync();
return 0;
