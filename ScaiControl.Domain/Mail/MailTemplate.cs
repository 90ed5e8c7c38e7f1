using ScaiControl.Domain.Common;
using ScaiControl.Domain.Templates;

namespace ScaiControl.Domain.Mail;

/// <summary>
/// The mail kinds (template names) and the variables each one's templates may use (docs/email.md). Every kind's
/// model also has the <see cref="Common"/> variables. A variable not listed for the kind is refused when a template
/// is validated or published (with its line).
/// </summary>
public static class MailKinds
{
    public const string InvoiceSent = "invoice-sent";
    public const string CreditNoteSent = "credit-note-sent";
    public const string TrialEnding = "trial-ending";
    public const string PaymentFailed = "payment-failed";
    public const string DunningReminder = "dunning-reminder";
    public const string SubscriptionActivated = "subscription-activated";
    public const string SubscriptionCancelled = "subscription-cancelled";
    public const string SubscriptionSuspended = "subscription-suspended";
    public const string ProvisioningFailed = "provisioning-failed";
    public const string Welcome = "welcome";

    /// <summary>Variables every mail has: recipient_name (the buyer's legal name), tenant_name, seller_name (the partner's legal name), seller_email, portal_url, language.</summary>
    public static IReadOnlyList<string> Common { get; } = ["recipient_name", "tenant_name", "seller_name", "seller_email", "portal_url", "language"];

    private static readonly string[] Invoice = ["invoice_id", "invoice_number", "issue_date", "due_date", "total", "amount_due", "currency", "pdf_attached", "pdf_url", "invoice_url"];
    private static readonly string[] Subscription = ["subscription_id", "service_name", "plan_name", "current_period_end"];

    /// <summary>Each kind with its own variables (beyond <see cref="Common"/>), in the order docs/email.md lists them.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Variables { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [InvoiceSent] = Invoice,
        [CreditNoteSent] = ["credit_note_id", "credit_note_number", "invoice_number", "issue_date", "total", "currency", "reason", "pdf_attached", "pdf_url", "invoice_url"],
        [TrialEnding] = [.. Subscription, "trial_end", "days_left"],
        [PaymentFailed] = ["invoice_id", "invoice_number", "amount_due", "currency", "decline_code", "next_retry_at", "invoice_url"],
        [DunningReminder] = ["invoice_id", "invoice_number", "amount_due", "currency", "step", "days_since_first_failure", "next_step_at", "invoice_url"],
        [SubscriptionActivated] = [.. Subscription, "trial_end"],
        [SubscriptionCancelled] = [.. Subscription, "reason"],
        [SubscriptionSuspended] = [.. Subscription, "reason"],
        [ProvisioningFailed] = ["service_name", "error"],
        [Welcome] = ["user_name", "login_url"],
    };

    /// <summary>All kinds.</summary>
    public static IReadOnlyList<string> All { get; } = Variables.Keys.ToList();

    /// <summary>Every variable of <paramref name="kind"/> (its own and <see cref="Common"/>).</summary>
    /// <exception cref="DomainValidationException">Not a kind.</exception>
    public static IReadOnlyList<string> VariablesOf(string kind) =>
        Variables.TryGetValue(kind, out var own) ? [.. Common, .. own] : throw new DomainValidationException("name", $"name must be one of {string.Join(", ", All)}.");
}

/// <summary>
/// One version of an operator-customisable mail template (spec 002 migration 020: templates per (name, document_type,
/// language); for mails the document type is "email" and the name is the <see cref="MailKinds">kind</see>), keyed by
/// (<see cref="Name"/>, <see cref="Language"/>, owner: a partner's override or the platform default). Three parts,
/// each Handlebars: <see cref="Subject"/> and <see cref="Text"/> (not HTML-escaped) and <see cref="Html"/> (escaped,
/// in the designer form of <see cref="TemplateEncoding"/>). Versions never change; the published one with the highest
/// number is in force, resolved like invoice templates (<see cref="TemplateResolution.Order"/>); none stored: the
/// built-in English or German default.
/// </summary>
public sealed class MailTemplate
{
    private MailTemplate() { }

    /// <summary>Creates draft version <paramref name="version"/>.</summary>
    /// <exception cref="DomainValidationException">Unknown name, bad language, an empty part.</exception>
    public MailTemplate(string name, string language, string? partnerId, int version, string subject, string html, string text, string createdBy, DateTimeOffset now)
    {
        Id = Ids.New("mtp");
        Name = MailKinds.Variables.ContainsKey(name ?? string.Empty) ? name! : throw new DomainValidationException("name", $"name must be one of {string.Join(", ", MailKinds.All)}.");
        Language = TemplateLanguage.Normalise(language);
        PartnerId = string.IsNullOrWhiteSpace(partnerId) ? null : partnerId.Trim();
        OwnerKey = PartnerId ?? InvoiceTemplate.PlatformOwnerKey;
        Version = version;
        Subject = Guard.Text(subject, "subject", 500);
        Html = string.IsNullOrWhiteSpace(html) ? throw new DomainValidationException("html", "html is required.") : TemplateEncoding.Encode(html);
        if (Html.Length > InvoiceTemplate.MaxBodyLength)
        {
            throw new DomainValidationException("html", $"html must be at most {InvoiceTemplate.MaxBodyLength} characters.");
        }

        Text = string.IsNullOrWhiteSpace(text) ? throw new DomainValidationException("text", "text is required: the plain-text part.") : text;
        Status = TemplateStatus.Draft;
        CreatedBy = Guard.Text(createdBy, "created_by", 100);
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string Name { get; private set; } = default!;
    public string Language { get; private set; } = default!;
    public string? PartnerId { get; private set; }

    /// <summary>The partner id, or "platform" (non-null, for the unique key).</summary>
    public string OwnerKey { get; private set; } = default!;
    public int Version { get; private set; }
    public TemplateStatus Status { get; private set; }
    public string Subject { get; private set; } = default!;
    public string Html { get; private set; } = default!;
    public string Text { get; private set; } = default!;
    public string CreatedBy { get; private set; } = default!;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }

    /// <summary>"trial-ending / email / de / platform v2" for messages.</summary>
    public string Describe() => $"{Name} / email / {Language} / {PartnerId ?? "platform"} v{Version}";

    /// <summary>Publishes the draft (the caller has rendered all three parts against the kind's sample data).</summary>
    /// <exception cref="DomainConflictException">Already published, or older than the version in force.</exception>
    public void Publish(int? inForceVersion, DateTimeOffset now)
    {
        if (Status == TemplateStatus.Published)
        {
            throw new DomainConflictException($"Mail template {Id} ({Describe()}) is already published.", "published", []);
        }

        if (inForceVersion is { } current && current > Version)
        {
            throw new DomainConflictException($"Version {Version} is older than version {current}, which is in force; save it as a new draft and publish that.", "draft", []);
        }

        Status = TemplateStatus.Published;
        PublishedAt = now;
    }
}
