using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sluice.Controller;
using Sluice.Controller.Host;
using Sluice.Metadata;

var builder = WebApplication.CreateBuilder(args);

var connectionString = builder.Configuration.GetConnectionString("Metadata")
    ?? throw new InvalidOperationException("ConnectionStrings:Metadata is not set.");
var host = builder.Configuration.GetSection(ControllerHostOptions.Section).Get<ControllerHostOptions>() ?? new ControllerHostOptions();

builder.Services.AddOptions<ControllerHostOptions>().BindConfiguration(ControllerHostOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSluiceMetadata(connectionString);
builder.Services.AddSluiceController(builder.Configuration);
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Listen(System.Net.IPAddress.Parse(host.ListenAddress), host.HttpPort, l => l.Protocols = HttpProtocols.Http1));

var app = builder.Build();

await app.Services.GetRequiredService<MetadataDatabase>().MigrateAsync(host.StartupWait);

app.MapGet("/healthz", () => Results.Text("ok"));
app.MapGet("/readyz", async (MetadataDatabase database, CancellationToken cancellationToken) =>
{
    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    timeout.CancelAfter(TimeSpan.FromSeconds(2));
    var metadata = await database.IsReachableAsync(timeout.Token);
    var body = new { status = metadata ? "ready" : "not-ready", metadata };
    return metadata ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
});
app.MapGet("/controller", async (ControllerService controller, ControllerStatus status, CancellationToken cancellationToken) =>
    Results.Ok(new { id = controller.Id, active = controller.IsActive, activeController = await status.GetActiveControllerIdAsync(cancellationToken) }));

await app.RunAsync();
