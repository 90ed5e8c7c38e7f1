using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using HandlebarsDotNet;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Mail;
using ScaiControl.Domain.Templates;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Templates;

namespace ScaiControl.Infrastructure.Mail;

/// <summary>A mail rendered from its template: the three parts, the language used and which template it was.</summary>
/// <param name="Subject">The subject line.</param>
/// <param name="Html">The HTML part.</param>
/// <param name="Text">The plain-text part.</param>
/// <param name="Language">The language of the template used ("de", "en", ...).</param>
/// <param name="Source">"built-in" or the stored template's id.</param>
public sealed record RenderedMail(string Subject, string Html, string Text, string Language, string Source);

/// <summary>
/// The sample model of each mail kind (its "document type" sample data, docs/email.md): every variable of
/// <see cref="MailKinds.VariablesOf"/> with a plausible value, so a template renders with all its blocks.
/// </summary>
public static class MailSampleData
{
    private static readonly Dictionary<string, object?> Values = new(StringComparer.Ordinal)
    {
        ["recipient_name"] = "Acme Hosting B.V.", ["tenant_name"] = "Acme Hosting", ["seller_name"] = "ScaiLabs B.V.", ["seller_email"] = "billing@scailabs.example",
        ["portal_url"] = "https://portal.scailabs.example", ["language"] = "en", ["invoice_id"] = "inv_SAMPLE", ["invoice_number"] = "SCAI-2026-000042",
        ["issue_date"] = "2 November 2026", ["due_date"] = "16 November 2026", ["total"] = "EUR 639.43", ["amount_due"] = "EUR 639.43", ["currency"] = "EUR",
        ["pdf_attached"] = true, ["pdf_url"] = "https://portal.scailabs.example/invoices/inv_SAMPLE", ["invoice_url"] = "https://portal.scailabs.example/invoices/inv_SAMPLE",
        ["credit_note_id"] = "inv_SAMPLECN", ["credit_note_number"] = "SCAI-CN-2026-000007", ["reason"] = "One workshop hour was not delivered.",
        ["subscription_id"] = "sub_SAMPLE", ["service_name"] = "ScaiCRM", ["plan_name"] = "Team (monthly)", ["current_period_end"] = "1 December 2026",
        ["trial_end"] = "29 November 2026", ["days_left"] = 3, ["decline_code"] = "insufficient_funds", ["next_retry_at"] = "6 December 2026",
        ["step"] = "reminder", ["days_since_first_failure"] = 7, ["next_step_at"] = "9 December 2026", ["error"] = "the service did not answer",
        ["user_name"] = "Anna de Vries", ["login_url"] = "https://portal.scailabs.example/login",
    };

    /// <summary>The sample model of <paramref name="kind"/>.</summary>
    /// <exception cref="DomainValidationException">Not a kind.</exception>
    public static Dictionary<string, object?> For(string kind) => MailKinds.VariablesOf(kind).ToDictionary(v => v, v => Values[v], StringComparer.Ordinal);
}

/// <summary>
/// Renders mails through the invoice templates' Handlebars pipeline (<see cref="TemplateCompiler.CompileMailPart"/>):
/// resolves the template in force for (kind, partner, language) in <see cref="TemplateResolution.Order"/> (the
/// partner's override through the language chain, then the platform default), then the built-in English or German
/// template of the chain; and checks templates against the kind's sample data, refusing a part that does not compile
/// or uses a variable the kind does not have (<see cref="TemplateValidationException"/> naming the part and line).
/// </summary>
public sealed partial class MailRenderer
{
    private readonly ConcurrentDictionary<string, (HandlebarsTemplate<object, object> Subject, HandlebarsTemplate<object, object> Html, HandlebarsTemplate<object, object> Text)> _compiled = new(StringComparer.Ordinal);

    /// <summary>Renders <paramref name="kind"/> for <paramref name="model"/> (the kind's variables) in the best template for the partner and language.</summary>
    /// <exception cref="DomainValidationException">Unknown kind or a malformed language tag.</exception>
    public async Task<RenderedMail> RenderAsync(ScaiDbContext db, string kind, string? partnerId, string? language, IReadOnlyDictionary<string, object?> model, CancellationToken ct)
    {
        MailKinds.VariablesOf(kind);
        var chain = TemplateLanguage.Chain(language).ToList();
        await Task.CompletedTask; // stored overrides (mail_templates) come with the Mail migration, not in this branch yet
        _ = db;
        _ = partnerId;
        _ = ct;
        foreach (var lang in chain)
        {
            if (BuiltInMailTemplates.For(kind, lang) is { } builtIn)
            {
                var parts = _compiled.GetOrAdd($"builtin:{kind}:{lang}", _ => Compile(builtIn, strict: false));
                return Render(parts, model, lang, "built-in");
            }
        }

        throw new InvalidOperationException($"No built-in mail template for {kind} in English.");
    }

    /// <summary>
    /// Compiles the three parts strictly and renders them with the kind's sample data; returns the rendered sample.
    /// </summary>
    /// <exception cref="TemplateValidationException">A part does not compile or uses an unknown variable (message "subject|html|text: line N: ...").</exception>
    public static RenderedMail Check(string kind, MailTemplateParts parts, string language)
    {
        var model = MailSampleData.For(kind);
        model["language"] = language;
        return new RenderedMail(CheckPart(kind, "subject", parts.Subject, false, model), CheckPart(kind, "html", parts.Html, true, model),
            CheckPart(kind, "text", parts.Text, false, model), language, "check");
    }

    private static string CheckPart(string kind, string part, string body, bool html, Dictionary<string, object?> model)
    {
        var source = TemplateEncoding.Decode(body);
        try
        {
            return TemplateCompiler.CompileMailPart(body, html, strict: true)(model);
        }
        catch (TemplateValidationException e)
        {
            throw new TemplateValidationException($"{part}: {e.HandlebarsError}", e.Line);
        }
        catch (HandlebarsException e) when (e.Message.Contains(" is undefined", StringComparison.Ordinal))
        {
            var name = e.Message[..e.Message.IndexOf(" is undefined", StringComparison.Ordinal)].Trim().Trim('\'', '"');
            var tag = TemplateEncoding.Tags(source).FirstOrDefault(t => Regex.IsMatch(t.Text, $@"(?<![\w.@]){Regex.Escape(name)}(?![\w])"));
            throw new TemplateValidationException($"{part}: '{name}' is not a variable of {kind} mails (known: {string.Join(", ", MailKinds.VariablesOf(kind))})", tag?.Line);
        }
        catch (HandlebarsException e)
        {
            var located = TemplateCompiler.Locate(e, source);
            throw new TemplateValidationException($"{part}: {located.HandlebarsError}", located.Line);
        }
    }

    private static (HandlebarsTemplate<object, object>, HandlebarsTemplate<object, object>, HandlebarsTemplate<object, object>) Compile(MailTemplateParts p, bool strict) =>
        (TemplateCompiler.CompileMailPart(p.Subject, false, strict), TemplateCompiler.CompileMailPart(p.Html, true, strict), TemplateCompiler.CompileMailPart(p.Text, false, strict));

    private static RenderedMail Render((HandlebarsTemplate<object, object> Subject, HandlebarsTemplate<object, object> Html, HandlebarsTemplate<object, object> Text) parts,
        IReadOnlyDictionary<string, object?> model, string language, string source)
    {
        var data = new Dictionary<string, object?>(model, StringComparer.Ordinal) { ["language"] = language };
        return new RenderedMail(parts.Subject(data).ReplaceLineEndings(" ").Trim(), parts.Html(data), parts.Text(data), language, source);
    }

    /// <summary>A date as mails show it in <paramref name="language"/> ("2 December 2026", "2. Dezember 2026").</summary>
    public static string Date(DateOnly date, string language)
    {
        var culture = CultureFor(language);
        return date.ToString(culture.TwoLetterISOLanguageName == "de" ? "d. MMMM yyyy" : "d MMMM yyyy", culture);
    }

    /// <summary>An amount in minor units as mails show it ("EUR 35.09").</summary>
    public static string Amount(long minor, string currency) => Money.Of(minor, currency).ToString();

    private static CultureInfo CultureFor(string language)
    {
        try
        {
            return CultureInfo.GetCultureInfo(language);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.InvariantCulture;
        }
    }
}
