using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;
using ScaiControl.Infrastructure.Observability;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web;

/// <summary>
/// Traces, metrics and logs. Logs carry the request id and path (ASP.NET Core's scope), the W3C trace and span ids,
/// and the caller's tenant and user (<see cref="UseScaiLogScope"/>); console output with scopes (Logging:Console:FormatterName
/// "json" for JSON lines). OpenTelemetry:OtlpEndpoint set: traces (ASP.NET Core, HttpClient, Npgsql/MySqlConnector),
/// metrics (the same plus <see cref="ScaiMetrics"/>) and logs exported over OTLP. Metrics:Prometheus (default true):
/// a Prometheus scrape endpoint at /metrics with every .NET meter, the business metrics included.
/// </summary>
public static class Observability
{
    /// <summary>Registers logging options and, when configured, OpenTelemetry.</summary>
    public static WebApplicationBuilder AddScaiObservability(this WebApplicationBuilder builder)
    {
        ScaiMetrics.NodeName = ScaiControl.Infrastructure.NodeIdentity.From(builder.Configuration).Id;

        // Tags: the request's activity carries scai.tenant_id / scai.user_id (UseScaiLogScope), so even what is logged after
        // the middleware unwound (the problem+json exception handler) names the tenant.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId | ActivityTrackingOptions.Tags);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
        });

        if (builder.Configuration["OpenTelemetry:OtlpEndpoint"] is { Length: > 0 } endpoint)
        {
            var otlp = new Uri(endpoint);
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(builder.Configuration["OpenTelemetry:ServiceName"] ?? "scaicontrol", serviceInstanceId: ScaiMetrics.NodeName))
                .WithTracing(t => t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddSource("Npgsql", "MySqlConnector")
                    .AddOtlpExporter(o => o.Endpoint = otlp))
                .WithMetrics(m => m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddMeter(ScaiMetrics.MeterName, "Npgsql", "MySqlConnector")
                    .AddOtlpExporter(o => o.Endpoint = otlp))
                .WithLogging(l => l.AddOtlpExporter(o => o.Endpoint = otlp), o => o.IncludeScopes = true);
        }

        return builder;
    }

    /// <summary>Adds tenant_id and user_id of the authenticated caller to the log scope (and the trace) of the request.</summary>
    public static IApplicationBuilder UseScaiLogScope(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var actor = context.User.ToActor();
        if (!actor.IsAuthenticated)
        {
            await next(context);
            return;
        }

        System.Diagnostics.Activity.Current?.SetTag("scai.tenant_id", actor.TenantId).SetTag("scai.user_id", actor.UserId);
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ScaiControl.Request");
        using (logger.BeginScope(new Dictionary<string, object?> { ["TenantId"] = actor.TenantId, ["PartnerId"] = actor.PartnerId, ["UserId"] = actor.UserId }))
        {
            await next(context);
        }
    });

    /// <summary>Maps the Prometheus scrape endpoint /metrics unless Metrics:Prometheus is false.</summary>
    public static void MapScaiMetrics(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        if (configuration.GetValue("Metrics:Prometheus", true))
        {
            app.MapMetrics("/metrics").AllowAnonymous();
        }
    }
}
