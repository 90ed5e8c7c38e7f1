using ScaiControl.Infrastructure.Pdf;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Web.Api;

/// <summary>
/// GET /healthz (anonymous): 200 {"status":"ok"} when the database answers, 503 otherwise; reports whether the PDF
/// renderer is available (a missing renderer degrades, it does not fail: invoices are still finalised).
/// </summary>
public static class Health
{
    /// <summary>Maps /healthz.</summary>
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/healthz", async (ScaiDbFactory factory, IPdfRenderer pdf, CancellationToken ct) =>
        {
            await using var db = factory.ForPlatform("system:health");
            var database = await db.Database.CanConnectAsync(ct);
            var body = new Dictionary<string, object?>
            {
                ["status"] = database ? (pdf.UnavailableReason is null ? "ok" : "degraded") : "unavailable",
                ["database"] = database ? "ok" : "unreachable",
                ["database_provider"] = factory.Provider.ToString().ToLowerInvariant(),
                ["pdf_renderer"] = pdf.UnavailableReason is null ? "ok" : pdf.UnavailableReason,
            };
            return TypedResults.Json(body, statusCode: database ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithName("Health").WithSummary("Liveness and readiness").WithTags("Health");
}
