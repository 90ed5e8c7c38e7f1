using ScaiControl.Domain.Invoicing;

namespace ScaiControl.Domain.Templates;

/// <summary>A published template version as resolution sees it (no body).</summary>
public sealed record TemplateCandidate(string Id, string Name, DocumentType DocumentType, string Language, string? PartnerId, int Version);

/// <summary>
/// Which stored template renders a document of (partner, document type, language), one pure function:
/// <list type="number">
/// <item>the partner's own override, trying each language of <see cref="TemplateLanguage.Chain"/> in order
/// (de-AT, then de, then en);</item>
/// <item>then the platform default (no partner), through the same chain;</item>
/// <item>nothing found: null, and the caller uses the built-in template embedded in the application.</item>
/// </list>
/// Within one (owner, language) the published version with the highest number is in force. Drafts never take part.
/// A partner's override in any language of the chain wins over the platform default in a closer language: the
/// partner's branding is kept, e.g. an English override of Nordic Cloud AB beats a German platform template for a
/// de-AT buyer.
/// </summary>
public static class TemplateResolution
{
    /// <summary>
    /// The languages and owners in the order they are tried: (partner, de-AT), (partner, de), (partner, en),
    /// (platform, de-AT), (platform, de), (platform, en). Without a partner only the platform steps.
    /// </summary>
    public static IReadOnlyList<(string? PartnerId, string Language)> Order(string? partnerId, string? language)
    {
        var chain = TemplateLanguage.Chain(language);
        var owners = partnerId is null ? new string?[] { null } : [partnerId, null];
        return owners.SelectMany(o => chain.Select(l => (o, l))).ToArray();
    }

    /// <summary>The candidate in force for the document, or null for the built-in template.</summary>
    /// <param name="published">Published versions (others are ignored); may include other names, types, partners and languages.</param>
    /// <param name="name">The template name, e.g. <see cref="InvoiceTemplate.InvoiceName"/>.</param>
    /// <param name="documentType">The document's type.</param>
    /// <param name="partnerId">The seller partner of the document.</param>
    /// <param name="language">The buyer's language; null means <see cref="TemplateLanguage.Default"/>.</param>
    public static TemplateCandidate? Pick(IEnumerable<TemplateCandidate> published, string name, DocumentType documentType, string? partnerId, string? language)
    {
        var matching = published.Where(c => c.Name == name && c.DocumentType == documentType).ToList();
        foreach (var (owner, lang) in Order(partnerId, language))
        {
            var hit = matching
                .Where(c => c.PartnerId == owner && string.Equals(c.Language, lang, StringComparison.OrdinalIgnoreCase))
                .MaxBy(c => c.Version);
            if (hit is not null)
            {
                return hit;
            }
        }

        return null;
    }
}
