using MudBlazor.Services;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Jobs;
using ScaiControl.Web;
using ScaiControl.Web.Api;
using ScaiControl.Web.Auth;
using ScaiControl.Web.Cli;
using ScaiControl.Web.Components;
using ScaiControl.Web.Localization;
using ScaiControl.Web.Mcp;

ScaiWebApp.DefaultToDevelopmentFromSource();
if (args is ["admin", ..])
{
    // The CLI runs in-process against the database without starting the web server.
    return await AdminCli.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
ScaiWebApp.AddRootDevelopmentSettings(builder.Configuration, builder.Environment);
builder.Services.AddScaiInfrastructure(builder.Configuration);
builder.AddScaiJobs();
builder.AddScaiObservability();
builder.AddScaiAuth();
builder.AddScaiHostSecurity();
builder.AddScaiMcp();
// The template designer sends whole templates (up to InvoiceTemplate.MaxBodyLength characters) through the circuit.
builder.Services.AddRazorComponents().AddInteractiveServerComponents().AddHubOptions(o => o.MaximumReceiveMessageSize = 4 * 1024 * 1024);
builder.Services.AddMudServices();
builder.Services.AddPortalCulture();
builder.Services.AddScoped<PortalActor>();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddOpenApi();
builder.Services.ConfigureHttpJsonOptions(o => ScaiWebApp.ConfigureJson(o.SerializerOptions));
builder.Services.AddAntiforgery();
builder.Services.AddScaiRateLimiting();
builder.Services.AddScaiHealthChecks(builder.Configuration);

var app = builder.Build();
await ScaiWebApp.PrepareDatabaseAsync(app);

app.UseScaiHostSecurity();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseStaticFiles();
app.UseAuthentication();
app.UseCookieApiWriteRefusal();
app.UseRequestBodyLimits(app.Configuration);
app.UseAuthorization();
app.UseScaiLogScope();
app.UsePortalCulture();
app.UseRateLimitHeaders();
app.UseRateLimiter();
app.UseIdempotency();
app.UseAntiforgery();
app.MapOpenApi();
app.MapScaiApi();
app.MapScaiMcp();
app.MapHealth();
app.MapScaiMetrics(app.Configuration);
app.MapSignInEndpoints();
app.MapPortalCulture();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("ScaiControl portal: {Urls}", string.Join(", ", app.Urls)));
await app.RunAsync();
return 0;

/// <summary>The web host's entry point (also used by WebApplicationFactory in the tests).</summary>
public partial class Program;
