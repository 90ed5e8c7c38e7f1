using HandlebarsDotNet;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Templates;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Templates;

/// <summary>What a new draft version is saved with; <see cref="PartnerId"/> null for the platform default.</summary>
public sealed record TemplateDraft(string? Name, string? DocumentType, string? Language, string? PartnerId, string? Body);

/// <summary>Optional filters of the template list (wire values: document_type "invoice" | "credit_note", status "draft" | "published").</summary>
public sealed record TemplateFilter(string? Name = null, string? DocumentType = null, string? Language = null, string? PartnerId = null, string? Status = null, string? Search = null);

/// <summary>A template version in a list, with whether it is the version in force for its key.</summary>
public sealed record TemplateListItem(InvoiceTemplate Template, bool InForce);

/// <summary>The result of checking one stored template: null <see cref="Error"/> when it compiles and renders.</summary>
public sealed record TemplateCheck(InvoiceTemplate Template, string? Error);

/// <summary>
/// Invoice and credit-note templates (operator only: permission templates:write): list, save a draft version,
/// publish (only a template that compiles and renders against its document type's sample data, see
/// <see cref="TemplateSampleData"/>), preview through the production renderer, and validate every stored version.
/// </summary>
public sealed class InvoiceTemplateService(ScaiDbFactory factory, TimeProvider clock)
{
    /// <summary>A page of template versions, newest first, each marked when it is in force.</summary>
    /// <exception cref="UnauthorizedAccessException">Not templates:write.</exception>
    /// <exception cref="DomainValidationException">A bad filter value or limit.</exception>
    public Task<Page<TemplateListItem>> ListAsync(Actor actor, TemplateFilter filter, string? cursor, int limit, CancellationToken ct = default) =>
        ListAsync(actor, filter, null, cursor, limit, ct);

    /// <summary>The sort keys of the template list: name (case-insensitive), version and created (id order).</summary>
    public static readonly SortKeys<InvoiceTemplate> Sorts = new SortKeys<InvoiceTemplate>().Text("name", t => t.Name.ToLower()).Number("version", t => t.Version).Text("created", t => t.Id);

    /// <summary>
    /// Like the overload without <paramref name="sort"/> (<see cref="TemplateFilter.Search"/>: the name contains it,
    /// case-insensitive), in the order <paramref name="sort"/> names (<see cref="Sorts"/>; null: newest first).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Not templates:write.</exception>
    /// <exception cref="DomainValidationException">A bad filter value, sort key or limit.</exception>
    public async Task<Page<TemplateListItem>> ListAsync(Actor actor, TemplateFilter filter, ListSort? sort, string? cursor, int limit, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = factory.ForPlatform(actor.UserId);
        var query = db.InvoiceTemplates.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Name))
        {
            var name = filter.Name.Trim();
            query = query.Where(t => t.Name == name);
        }

        if (!string.IsNullOrWhiteSpace(filter.DocumentType))
        {
            var type = TemplateWireNames.ParseDocumentType(filter.DocumentType);
            query = query.Where(t => t.DocumentType == type);
        }

        if (!string.IsNullOrWhiteSpace(filter.Language))
        {
            var language = TemplateLanguage.Normalise(filter.Language);
            query = query.Where(t => t.Language == language);
        }

        if (!string.IsNullOrWhiteSpace(filter.PartnerId))
        {
            var owner = filter.PartnerId.Trim();
            query = query.Where(t => t.OwnerKey == owner);
        }

        if (!string.IsNullOrWhiteSpace(filter.Status))
        {
            var status = TemplateWireNames.ParseStatus(filter.Status);
            query = query.Where(t => t.Status == status);
        }

        if (filter.Search?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
#pragma warning disable CA1862 // LOWER(name) LIKE '%term%' on every provider
            query = query.Where(t => t.Name.ToLower().Contains(term));
#pragma warning restore CA1862
        }

        var page = await Paging.ReadAsync(query, t => t.Id, Sorts, sort, cursor, limit, ct);
        var inForce = await InForceIdsAsync(db, ct);
        return new Page<TemplateListItem>(page.Items.Select(t => new TemplateListItem(t, inForce.Contains(t.Id))).ToList(), page.NextCursor);
    }

    /// <summary>One template version.</summary>
    /// <exception cref="NotFoundException">Unknown id.</exception>
    public async Task<TemplateListItem> GetAsync(Actor actor, string id, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = factory.ForPlatform(actor.UserId);
        var template = await db.InvoiceTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw new NotFoundException("template", id);
        return new TemplateListItem(template, (await InForceIdsAsync(db, ct)).Contains(id));
    }

    /// <summary>
    /// Saves a new draft version of (name, document type, language, partner): version = the key's highest + 1. The
    /// body may be plain Handlebars or the designer form; it is stored in the designer form. A draft need not compile.
    /// </summary>
    /// <exception cref="DomainValidationException">A missing or bad field; an unknown partner_id.</exception>
    /// <exception cref="DomainConflictException">Another version of the key was saved at the same moment.</exception>
    public async Task<InvoiceTemplate> CreateDraftAsync(Actor actor, TemplateDraft draft, CancellationToken ct = default)
    {
        Require(actor);
        var name = Guard.Slug(draft.Name ?? InvoiceTemplate.InvoiceName, "name");
        var type = TemplateWireNames.ParseDocumentType(draft.DocumentType);
        var language = TemplateLanguage.Normalise(draft.Language ?? TemplateLanguage.Default);
        var partnerId = string.IsNullOrWhiteSpace(draft.PartnerId) ? null : draft.PartnerId.Trim();
        await using var db = await factory.ForOperatorAsync(actor, "save template draft", ct);
        if (partnerId is not null && !await db.Partners.AnyAsync(p => p.Id == partnerId, ct))
        {
            throw new DomainValidationException("partner_id", $"There is no partner '{partnerId}'; leave partner_id empty for the platform default.");
        }

        var owner = partnerId ?? InvoiceTemplate.PlatformOwnerKey;
        var latest = await db.InvoiceTemplates.Where(t => t.Name == name && t.DocumentType == type && t.Language == language && t.OwnerKey == owner)
            .MaxAsync(t => (int?)t.Version, ct) ?? 0;
        var template = new InvoiceTemplate(name, type, language, partnerId, latest + 1, draft.Body ?? string.Empty, actor.UserId, clock.GetUtcNow());
        db.InvoiceTemplates.Add(template);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new DomainConflictException($"Version {template.Version} of {template.Describe()} was saved by someone else at the same time; save again.");
        }

        return template;
    }

    /// <summary>
    /// Publishes a draft after compiling it and rendering it against its document type's sample data; it is then in
    /// force for its key (unless a newer version is published later). Nothing is written when the check fails.
    /// </summary>
    /// <exception cref="NotFoundException">Unknown id.</exception>
    /// <exception cref="TemplateValidationException">It does not compile or render (HTTP 422, field "body", with the line).</exception>
    /// <exception cref="DomainConflictException">Already published, or older than the version in force.</exception>
    public Task<InvoiceTemplate> PublishAsync(Actor actor, string id, CancellationToken ct = default) => PublishAsync(actor, id, false, ct);

    /// <summary>Like the overload without <paramref name="dryRun"/>; with it, the same checks and nothing written.</summary>
    public async Task<InvoiceTemplate> PublishAsync(Actor actor, string id, bool dryRun, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = await factory.ForOperatorAsync(actor, "publish template", ct);
        var template = await db.InvoiceTemplates.SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw new NotFoundException("template", id);
        if (template.Status == TemplateStatus.Draft)
        {
            RenderSample(template.Body, template.DocumentType);
        }

        var inForce = await db.InvoiceTemplates.Where(t => t.Status == TemplateStatus.Published && t.Name == template.Name && t.DocumentType == template.DocumentType
                                                          && t.Language == template.Language && t.OwnerKey == template.OwnerKey)
            .MaxAsync(t => (int?)t.Version, ct);
        template.Publish(inForce, clock.GetUtcNow());
        if (dryRun)
        {
            return template;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new DomainConflictException($"Template {id} was changed at the same time; reload and try again.");
        }

        return template;
    }

    /// <summary>
    /// Rollback: publishes the body of an older version <paramref name="id"/> again. Versions never change (spec 002:
    /// each save is a new row), and a version older than the one in force cannot be published itself
    /// (<see cref="InvoiceTemplate.Publish"/>), so its body is saved as the key's next version and that is published;
    /// the history keeps every version. The body is compiled and rendered against the sample data first: when that
    /// fails nothing is written.
    /// </summary>
    /// <exception cref="NotFoundException">Unknown id.</exception>
    /// <exception cref="TemplateValidationException">The old body no longer compiles or renders.</exception>
    /// <exception cref="DomainConflictException">A newer version was saved or published at the same time.</exception>
    public async Task<InvoiceTemplate> RepublishAsync(Actor actor, string id, CancellationToken ct = default)
    {
        var old = (await GetAsync(actor, id, ct)).Template;
        RenderSample(old.Body, old.DocumentType);
        var draft = await CreateDraftAsync(actor, new TemplateDraft(old.Name, TemplateWireNames.Of(old.DocumentType), old.Language, old.PartnerId, old.Body), ct);
        return await PublishAsync(actor, draft.Id, ct);
    }

    /// <summary>
    /// The versions of one template key (name, document type, language, owner), newest first: one page of at most
    /// <paramref name="limit"/> (keyset on the version number), each marked when it is in force.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Not templates:write.</exception>
    public Task<Page<TemplateListItem>> VersionsAsync(Actor actor, InvoiceTemplate of, string? cursor, int limit, CancellationToken ct = default) =>
        ListAsync(actor, new TemplateFilter(Name: of.Name, DocumentType: TemplateWireNames.Of(of.DocumentType), Language: of.Language, PartnerId: of.OwnerKey),
            new ListSort("version", Descending: true), cursor, limit, ct);

    /// <summary>
    /// The HTML <paramref name="body"/> renders to for the sample document of <paramref name="documentType"/> ("invoice"
    /// | "credit_note"), through the renderer finalisation uses.
    /// </summary>
    /// <exception cref="DomainValidationException">Missing body or bad document type.</exception>
    /// <exception cref="TemplateValidationException">It does not compile or render.</exception>
    public static string Preview(Actor actor, string? body, string? documentType)
    {
        Require(actor);
        if (string.IsNullOrWhiteSpace(body))
        {
            throw new DomainValidationException("body", "body is required: the Handlebars HTML of the document.");
        }

        return RenderSample(body, TemplateWireNames.ParseDocumentType(documentType));
    }

    /// <summary>
    /// Compiles and renders every stored template version (drafts too) against the sample data of its document type;
    /// one <see cref="TemplateCheck"/> per version, oldest first. System use (the `admin templates validate` command).
    /// </summary>
    public async Task<IReadOnlyList<TemplateCheck>> ValidateAllAsync(CancellationToken ct = default)
    {
        await using var db = factory.ForPlatform("system:templates-validate");
        var templates = await db.InvoiceTemplates.AsNoTracking().OrderBy(t => t.Id).ToListAsync(ct);
        return templates.Select(t =>
        {
            try
            {
                RenderSample(t.Body, t.DocumentType);
                return new TemplateCheck(t, null);
            }
            catch (TemplateValidationException e)
            {
                return new TemplateCheck(t, e.Message);
            }
        }).ToList();
    }

    /// <summary>The ids of the versions in force: per key, the published version with the highest number.</summary>
    private static async Task<HashSet<string>> InForceIdsAsync(ScaiDbContext db, CancellationToken ct)
    {
        var published = await db.InvoiceTemplates.AsNoTracking().Where(t => t.Status == TemplateStatus.Published)
            .Select(t => new { t.Id, t.Name, t.DocumentType, t.Language, t.OwnerKey, t.Version }).ToListAsync(ct);
        return published.GroupBy(t => (t.Name, t.DocumentType, t.Language, t.OwnerKey)).Select(g => g.MaxBy(t => t.Version)!.Id).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Compiles <paramref name="body"/> and renders the sample document with it, exactly as finalisation renders.</summary>
    private static string RenderSample(string body, DocumentType type)
    {
        var compiled = TemplateCompiler.Compile(body);
        var sample = TemplateSampleData.For(type);
        try
        {
            return InvoiceHtmlRenderer.Render(sample, compiled);
        }
        catch (HandlebarsException e)
        {
            throw TemplateCompiler.Locate(e, TemplateEncoding.Decode(body));
        }
    }

    private static void Require(Actor actor)
    {
        if (!actor.Can(Permissions.TemplatesWrite))
        {
            throw new UnauthorizedAccessException($"The permission '{Permissions.TemplatesWrite}' is required.");
        }
    }
}
