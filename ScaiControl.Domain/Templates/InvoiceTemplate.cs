using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;

namespace ScaiControl.Domain.Templates;

/// <summary>Status of one template version: draft (being designed) → published (may be in force).</summary>
public enum TemplateStatus
{
    Draft,
    Published,
}

/// <summary>
/// One version of a Handlebars HTML document template (spec 002, migrations 012 and 020: table invoice_templates),
/// keyed by (<see cref="Name"/>, <see cref="DocumentType"/>, <see cref="Language"/>, <see cref="PartnerId"/>):
/// a null partner is the platform default, a partner id that partner's own override. Every save is a new version
/// (1, 2, ...) of its key, and versions never change their body. A draft becomes published through
/// <see cref="Publish"/> once it compiles and renders (checked by the caller); the published version with the highest
/// number is the one in force for its key (see <see cref="TemplateResolution"/>).
/// <see cref="Body"/> is stored in the designer form (<see cref="TemplateEncoding"/>): Handlebars blocks wrapped in
/// HTML comments so the GrapesJS designer keeps them; decode before compiling.
/// </summary>
public sealed class InvoiceTemplate
{
    /// <summary>The template name invoice and credit-note documents use.</summary>
    public const string InvoiceName = "invoice";

    /// <summary>Largest body accepted, in characters (fonts embedded as base64 fit easily).</summary>
    public const int MaxBodyLength = 1_000_000;

    /// <summary>The value of <see cref="OwnerKey"/> for the platform default.</summary>
    public const string PlatformOwnerKey = "platform";

    private InvoiceTemplate() { }

    /// <summary>Creates draft version <paramref name="version"/> of a key; the body is stored encoded.</summary>
    /// <exception cref="DomainValidationException">Bad name, language, version or an empty / oversized body.</exception>
    public InvoiceTemplate(string name, DocumentType documentType, string language, string? partnerId, int version, string body, string createdBy, DateTimeOffset now)
    {
        Id = Ids.New("tpl");
        Name = Guard.Slug(name, "name");
        DocumentType = documentType;
        Language = TemplateLanguage.Normalise(language);
        PartnerId = string.IsNullOrWhiteSpace(partnerId) ? null : partnerId.Trim();
        OwnerKey = PartnerId ?? PlatformOwnerKey;
        Version = version >= 1 ? version : throw new DomainValidationException("version", "version starts at 1.");
        if (string.IsNullOrWhiteSpace(body))
        {
            throw new DomainValidationException("body", "body is required: the Handlebars HTML of the document.");
        }

        Body = TemplateEncoding.Encode(body);
        if (Body.Length > MaxBodyLength)
        {
            throw new DomainValidationException("body", $"body must be at most {MaxBodyLength} characters.");
        }

        Status = TemplateStatus.Draft;
        CreatedBy = Guard.Text(createdBy, "created_by", 100);
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;

    /// <summary>The template's name, a slug ("invoice").</summary>
    public string Name { get; private set; } = default!;

    /// <summary>The document type whose sample data the template is checked against.</summary>
    public DocumentType DocumentType { get; private set; }

    /// <summary>A BCP 47 language tag in canonical case ("de-AT", "de", "en").</summary>
    public string Language { get; private set; } = default!;

    /// <summary>Null for the platform default, else the partner whose override this is.</summary>
    public string? PartnerId { get; private set; }

    /// <summary>
    /// <see cref="PartnerId"/>, or "platform" for the platform default: a non-null copy so that a unique index on
    /// (name, document_type, language, owner_key, version) also protects the platform's versions (NULLs are distinct
    /// in unique indexes on SQLite and PostgreSQL).
    /// </summary>
    public string OwnerKey { get; private set; } = default!;

    /// <summary>1, 2, ... per key.</summary>
    public int Version { get; private set; }
    public TemplateStatus Status { get; private set; }

    /// <summary>The Handlebars HTML in the designer form (blocks as <c>&lt;!--HB:{{#each lines}}--&gt;</c>).</summary>
    public string Body { get; private set; } = default!;

    /// <summary>Who saved the version (user id or "system:&lt;job&gt;").</summary>
    public string CreatedBy { get; private set; } = default!;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }

    /// <summary>The body as Handlebars source (HB comments decoded).</summary>
    public string Source => TemplateEncoding.Decode(Body);

    /// <summary>True for the platform default (no partner).</summary>
    public bool IsPlatformDefault => PartnerId is null;

    /// <summary>"invoice / credit_note / de-AT / platform v3" for messages.</summary>
    public string Describe() => $"{Name} / {TemplateWireNames.Of(DocumentType)} / {Language} / {(PartnerId ?? "platform")} v{Version}";

    /// <summary>
    /// Publishes the draft. The caller has compiled it and rendered it against its document type's sample data;
    /// <paramref name="inForceVersion"/> is the version currently in force for the key (null when none).
    /// </summary>
    /// <exception cref="DomainConflictException">Already published, or older than the version in force.</exception>
    public void Publish(int? inForceVersion, DateTimeOffset now)
    {
        if (Status == TemplateStatus.Published)
        {
            throw new DomainConflictException($"Template {Id} ({Describe()}) is already published.", "published", []);
        }

        if (inForceVersion is { } current && current > Version)
        {
            throw new DomainConflictException(
                $"Version {Version} is older than version {current}, which is in force; save its body as a new draft version and publish that.", "draft", ["save_as_new_version"]);
        }

        Status = TemplateStatus.Published;
        PublishedAt = now;
    }
}

/// <summary>The wire names of <see cref="DocumentType"/> and <see cref="TemplateStatus"/> ("invoice" | "credit_note", "draft" | "published").</summary>
public static class TemplateWireNames
{
    /// <summary>"invoice" or "credit_note".</summary>
    public static string Of(DocumentType type) => type switch
    {
        DocumentType.Invoice => "invoice",
        DocumentType.CreditNote => "credit_note",
    };

    /// <summary>"draft" or "published".</summary>
    public static string Of(TemplateStatus status) => status switch
    {
        TemplateStatus.Draft => "draft",
        TemplateStatus.Published => "published",
    };

    /// <summary>Parses "invoice" | "credit_note".</summary>
    /// <exception cref="DomainValidationException">Anything else (field <paramref name="field"/>).</exception>
    public static DocumentType ParseDocumentType(string? value, string field = "document_type") => value?.Trim() switch
    {
        "invoice" => DocumentType.Invoice,
        "credit_note" => DocumentType.CreditNote,
        _ => throw new DomainValidationException(field, $"{field} must be 'invoice' or 'credit_note'."),
    };

    /// <summary>Parses "draft" | "published".</summary>
    /// <exception cref="DomainValidationException">Anything else.</exception>
    public static TemplateStatus ParseStatus(string? value) => value?.Trim() switch
    {
        "draft" => TemplateStatus.Draft,
        "published" => TemplateStatus.Published,
        _ => throw new DomainValidationException("status", "status must be 'draft' or 'published'."),
    };
}

/// <summary>
/// A template that does not compile or does not render against its document type's sample data (HTTP 422, field
/// "body"). The message is "line N: &lt;the Handlebars error&gt;" (line in the stored body, 1-based) or, when
/// Handlebars gives no position and none can be found, the Handlebars error alone.
/// </summary>
public sealed class TemplateValidationException(string handlebarsError, int? line, string? hint = null)
    : DomainValidationException("body", Format(handlebarsError, line, hint))
{
    /// <summary>The error as Handlebars.Net reported it.</summary>
    public string HandlebarsError { get; } = handlebarsError;

    /// <summary>The 1-based line of the stored body the error is on, when known.</summary>
    public int? Line { get; } = line;

    private static string Format(string error, int? line, string? hint)
    {
        var text = (line is { } l ? $"line {l}: {error}" : error) + (hint is null ? string.Empty : $" ({hint})");
        return string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
