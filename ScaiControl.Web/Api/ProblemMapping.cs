using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Templates;
using ScaiControl.Infrastructure.Invoicing.EInvoicing;
using ScaiControl.Infrastructure.Pdf;
using ScaiControl.Infrastructure.Persistence.Interceptors;

namespace ScaiControl.Web.Api;

/// <summary>
/// Maps expected failures to RFC 9457 problem+json: malformed JSON 400, validation 422 (with "errors" by field, and
/// "line" for a template that does not compile),
/// unknown or another tenant's id 404, missing permission 403, forbidden transition or change to a finalised
/// invoice 409 (with "current_state" and "allowed_actions"), PDF renderer missing 503, Factur-X not possible now
/// (qpdf missing or failing, the invoice PDF not rendered yet) 503. Anything else stays a 500.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    /// <inheritdoc/>
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ToProblem(exception);
        if (problem is null)
        {
            return false;
        }

        if (exception is EInvoiceUnavailableException { RetryAfterSeconds: { } seconds })
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        logger.LogInformation("{Method} {Path} -> {Status}: {Detail}", httpContext.Request.Method, httpContext.Request.Path, problem.Status, problem.Detail);
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The problem for an exception, or null when it is a bug (500).</summary>
    public static ProblemDetails? ToProblem(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException } or JsonException => Problem(400, "Malformed JSON", "The request body is not valid JSON for this endpoint."),
        BadHttpRequestException bad => Problem(bad.StatusCode, "Bad request", bad.Message),
        TemplateValidationException t => TemplateInvalid(t),
        DomainValidationException v => Validation(v.Field, v.Message),
        DomainConflictException c => Conflict(c),
        NotFoundException n => Problem(404, "Not found", n.Message),
        TenantScopeViolationException => Problem(404, "Not found", "The resource was not found."),
        UnauthorizedAccessException u => Problem(403, "Forbidden", u.Message),
        DbUpdateException d when (d.InnerException?.Message ?? string.Empty).Contains("finalised and immutable", StringComparison.Ordinal)
            => Problem(409, "Conflict", "The invoice is finalised and can no longer be changed."),
        DbUpdateConcurrencyException => Problem(409, "Conflict", "The resource was changed at the same time; reload and try again."),
        PdfRendererUnavailableException p => Problem(503, "PDF renderer unavailable", p.Message),
        EInvoiceUnavailableException e => Problem(503, e.Title, e.Message),
        Infrastructure.Secrets.SecretStoreUnavailableException => Problem(503, "Secret store unavailable", "The secret store can't answer now; nothing was changed. Retry later."),
        _ => null,
    };

    /// <summary>A 422 naming one field.</summary>
    public static ProblemDetails Validation(string field, string message)
    {
        var problem = Problem(422, "Validation failed", message);
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
        return problem;
    }

    /// <summary>A 422 for a template that does not compile or render: errors.body, plus "line" (1-based, in the stored body) when known.</summary>
    private static ProblemDetails TemplateInvalid(TemplateValidationException t)
    {
        var problem = Validation(t.Field, t.Message);
        if (t.Line is { } line)
        {
            problem.Extensions["line"] = line;
        }

        return problem;
    }

    private static ProblemDetails Conflict(DomainConflictException c)
    {
        var problem = Problem(409, "Conflict", c.Message);
        if (c.CurrentState is not null)
        {
            problem.Extensions["current_state"] = c.CurrentState;
        }

        problem.Extensions["allowed_actions"] = c.AllowedActions;
        return problem;
    }

    private static ProblemDetails Problem(int status, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Type = $"https://httpstatuses.io/{status}",
    };
}
