using HandlebarsDotNet;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Templates;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Templates;

/// <summary>The stored template in force for a document, compiled.</summary>
/// <param name="Template">Which version was chosen.</param>
/// <param name="Compiled">Its compiled form.</param>
public sealed record ResolvedTemplate(TemplateCandidate Template, HandlebarsTemplate<object, object> Compiled);

/// <summary>
/// Finds the stored template in force for (seller partner, document type, language) in the database, in the order of
/// <see cref="TemplateResolution"/> (partner override through the language chain, then the platform default through
/// the chain); null when none is stored (the caller uses the built-in template).
/// </summary>
public sealed class InvoiceTemplateResolver(TemplateCompiler compiler)
{
    /// <summary>The "invoice" template in force, or null for the built-in one. Reads in <paramref name="db"/> (any scope: templates are not tenant-owned).</summary>
    /// <exception cref="Domain.Common.DomainValidationException"><paramref name="language"/> is not a BCP 47 tag.</exception>
    public Task<ResolvedTemplate?> ResolveAsync(ScaiDbContext db, string? partnerId, DocumentType documentType, string? language, CancellationToken ct) =>
        ResolveAsync(db, InvoiceTemplate.InvoiceName, partnerId, documentType, language, ct);

    /// <summary>The template named <paramref name="name"/> in force, or null.</summary>
    /// <exception cref="Domain.Common.DomainValidationException"><paramref name="language"/> is not a BCP 47 tag.</exception>
    public async Task<ResolvedTemplate?> ResolveAsync(ScaiDbContext db, string name, string? partnerId, DocumentType documentType, string? language, CancellationToken ct)
    {
        var chain = TemplateLanguage.Chain(language).ToList();
        var candidates = await db.InvoiceTemplates.AsNoTracking()
            .Where(t => t.Status == TemplateStatus.Published && t.Name == name && t.DocumentType == documentType
                        && (t.PartnerId == null || t.PartnerId == partnerId) && chain.Contains(t.Language))
            .Select(t => new TemplateCandidate(t.Id, t.Name, t.DocumentType, t.Language, t.PartnerId, t.Version))
            .ToListAsync(ct);
        var pick = TemplateResolution.Pick(candidates, name, documentType, partnerId, language);
        if (pick is null)
        {
            return null;
        }

        if (!compiler.TryGetPublished(pick.Id, out var compiled))
        {
            var body = await db.InvoiceTemplates.AsNoTracking().Where(t => t.Id == pick.Id).Select(t => t.Body).SingleAsync(ct);
            compiled = compiler.Published(pick.Id, body);
        }

        return new ResolvedTemplate(pick, compiled);
    }
}
