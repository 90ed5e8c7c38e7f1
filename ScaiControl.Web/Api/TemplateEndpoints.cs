using Microsoft.AspNetCore.Http.HttpResults;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Templates;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Templates;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>
/// /api/v1/admin/templates: invoice and credit-note templates (operator only, permission templates:write). Errors
/// are problem+json; a template that does not compile or render answers 422 with errors.body and "line".
/// </summary>
public static class TemplateEndpoints
{
    private const int DefaultLimit = 50;

    /// <summary>Maps the template endpoints under <paramref name="api"/> (the /api/v1 group).</summary>
    public static void MapTemplateApi(this RouteGroupBuilder api)
    {
        var templates = api.MapGroup("/admin/templates").WithTags("Templates").RequireAuthorization(Permissions.TemplatesWrite).WithRequestBodyLimit(RequestBodyLimits.TemplateLimit);
        templates.MapGet("/", ListTemplates).WithName("ListTemplates")
            .WithSummary("List template versions, newest first (filters: name, document_type, language, partner_id — \"platform\" for the defaults —, status)")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        templates.MapPost("/", CreateTemplate).WithName("CreateTemplate")
            .WithSummary("Save a new draft version of (name, document_type, language, partner_id); the body may be plain Handlebars or the designer form")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        templates.MapPost("/preview", PreviewTemplate).WithName("PreviewTemplate")
            .WithSummary("Render a body against the sample document of its document_type through the production renderer")
            .Produces<string>(StatusCodes.Status200OK, "text/html").ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        templates.MapGet("/{id}", GetTemplate).WithName("GetTemplate").WithSummary("Read one template version with its body")
            .ProducesProblem(StatusCodes.Status404NotFound);
        templates.MapPost("/{id}/publish", PublishTemplate).WithName("PublishTemplate")
            .WithSummary("Publish a draft: only when it compiles and renders the sample document (else 422 with the Handlebars error and line)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>GET /api/v1/admin/templates?name=&amp;document_type=&amp;language=&amp;partner_id=&amp;status=&amp;cursor=&amp;limit=.</summary>
    public static async Task<Ok<ListResponse<TemplateDto>>> ListTemplates(HttpContext http, InvoiceTemplateService service, string? cursor, int? limit, CancellationToken ct)
    {
        var q = http.Request.Query;
        var filter = new TemplateFilter(q["name"].FirstOrDefault(), q["document_type"].FirstOrDefault(), q["language"].FirstOrDefault(), q["partner_id"].FirstOrDefault(), q["status"].FirstOrDefault());
        var page = await service.ListAsync(http.User.ToActor(), filter, cursor, limit ?? DefaultLimit, ct);
        return TypedResults.Ok(new ListResponse<TemplateDto>(page.Items.Select(i => TemplateDto.From(i, withBody: false)).ToArray(), page.NextCursor));
    }

    /// <summary>GET /api/v1/admin/templates/{id}.</summary>
    public static async Task<Ok<TemplateDto>> GetTemplate(string id, HttpContext http, InvoiceTemplateService service, CancellationToken ct) =>
        TypedResults.Ok(TemplateDto.From(await service.GetAsync(http.User.ToActor(), id, ct), withBody: true));

    /// <summary>POST /api/v1/admin/templates: 201 with the new draft version.</summary>
    public static async Task<Created<TemplateDto>> CreateTemplate(TemplateRequest? body, HttpContext http, InvoiceTemplateService service, CancellationToken ct)
    {
        if (body is null)
        {
            throw new DomainValidationException("body", "A JSON body with document_type, language and body is required.");
        }

        var template = await service.CreateDraftAsync(http.User.ToActor(), new TemplateDraft(body.Name, body.DocumentType, body.Language, body.PartnerId, body.Body), ct);
        return TypedResults.Created($"/api/v1/admin/templates/{template.Id}", TemplateDto.From(new TemplateListItem(template, false), withBody: true));
    }

    /// <summary>POST /api/v1/admin/templates/{id}/publish.</summary>
    public static async Task<Ok<TemplateDto>> PublishTemplate(string id, HttpContext http, InvoiceTemplateService service, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        await service.PublishAsync(actor, id, ct);
        return TypedResults.Ok(TemplateDto.From(await service.GetAsync(actor, id, ct), withBody: true));
    }

    /// <summary>POST /api/v1/admin/templates/preview {body, document_type}: the rendered HTML (text/html).</summary>
    public static ContentHttpResult PreviewTemplate(PreviewRequest? body, HttpContext http) =>
        TypedResults.Content(InvoiceTemplateService.Preview(http.User.ToActor(), body?.Body, body?.DocumentType ?? "invoice"), "text/html; charset=utf-8");
}

/// <summary>POST /api/v1/admin/templates body; name defaults to "invoice", language to "en", partner_id null = the platform default.</summary>
public sealed record TemplateRequest(string? Name, string? DocumentType, string? Language, string? PartnerId, string? Body);

/// <summary>POST /api/v1/admin/templates/preview body; document_type defaults to "invoice".</summary>
public sealed record PreviewRequest(string? Body, string? DocumentType);

/// <summary>
/// A template version: document_type "invoice" | "credit_note", status "draft" | "published", partner_id null for the
/// platform default, in_force true for the version finalisation uses for its key, body (designer form) only when
/// read one by one.
/// </summary>
public sealed record TemplateDto(string Id, string Name, string DocumentType, string Language, string? PartnerId, int Version, string Status, bool InForce,
    string? Body, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? PublishedAt)
{
    public static TemplateDto From(TemplateListItem item, bool withBody)
    {
        var t = item.Template;
        return new(t.Id, t.Name, TemplateWireNames.Of(t.DocumentType), t.Language, t.PartnerId, t.Version, TemplateWireNames.Of(t.Status), item.InForce,
            withBody ? t.Body : null, t.CreatedBy, t.CreatedAt, t.PublishedAt);
    }
}
