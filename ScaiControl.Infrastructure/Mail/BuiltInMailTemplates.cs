using System.Text;
using ScaiControl.Domain.Mail;

namespace ScaiControl.Infrastructure.Mail;

/// <summary>The three Handlebars parts of a mail template.</summary>
/// <param name="Subject">One line, not HTML-escaped.</param>
/// <param name="Html">The HTML part (values escaped).</param>
/// <param name="Text">The plain-text part, not escaped.</param>
public sealed record MailTemplateParts(string Subject, string Html, string Text);

/// <summary>
/// The built-in mail templates in English ("en") and German ("de"), used when no published template of the kind is
/// stored for the partner or the platform in any language of the chain. Each is a greeting, paragraphs, an optional
/// button (label and URL variable) and the seller's signature, laid out in one HTML frame and a plain-text copy, so
/// both parts say the same.
/// </summary>
public static class BuiltInMailTemplates
{
    /// <summary>The languages built in.</summary>
    public static IReadOnlyList<string> Languages { get; } = ["en", "de"];

    private sealed record Content(string Subject, string[] Paragraphs, string? ButtonLabel = null, string? ButtonUrl = null);

    private static readonly Dictionary<(string Kind, string Language), Content> Contents = new()
    {
        [(MailKinds.InvoiceSent, "en")] = new("Invoice {{invoice_number}} from {{seller_name}}",
            ["Please find invoice {{invoice_number}} of {{issue_date}} over {{total}}.", "{{amount_due}} is due by {{due_date}}.",
             "{{#if pdf_attached}}The PDF is attached.{{else}}Download the PDF: {{pdf_url}}{{/if}}"], "View the invoice", "invoice_url"),
        [(MailKinds.InvoiceSent, "de")] = new("Rechnung {{invoice_number}} von {{seller_name}}",
            ["anbei erhalten Sie die Rechnung {{invoice_number}} vom {{issue_date}} über {{total}}.", "Bitte zahlen Sie {{amount_due}} bis zum {{due_date}}.",
             "{{#if pdf_attached}}Die PDF-Datei ist angehängt.{{else}}PDF herunterladen: {{pdf_url}}{{/if}}"], "Rechnung ansehen", "invoice_url"),
        [(MailKinds.CreditNoteSent, "en")] = new("Credit note {{credit_note_number}} from {{seller_name}}",
            ["We issued credit note {{credit_note_number}} of {{issue_date}} over {{total}} for invoice {{invoice_number}}.", "{{#if reason}}Reason: {{reason}}{{/if}}",
             "{{#if pdf_attached}}The PDF is attached.{{else}}Download the PDF: {{pdf_url}}{{/if}}"], "View the credit note", "invoice_url"),
        [(MailKinds.CreditNoteSent, "de")] = new("Gutschrift {{credit_note_number}} von {{seller_name}}",
            ["wir haben die Gutschrift {{credit_note_number}} vom {{issue_date}} über {{total}} zur Rechnung {{invoice_number}} ausgestellt.", "{{#if reason}}Grund: {{reason}}{{/if}}",
             "{{#if pdf_attached}}Die PDF-Datei ist angehängt.{{else}}PDF herunterladen: {{pdf_url}}{{/if}}"], "Gutschrift ansehen", "invoice_url"),
        [(MailKinds.TrialEnding, "en")] = new("Your {{service_name}} trial ends in {{days_left}} day(s)",
            ["your trial of {{service_name}} ({{plan_name}}) ends on {{trial_end}}.", "Nothing to do if you want to keep it: the plan continues as agreed. To change or cancel it, open the portal."],
            "Open the portal", "portal_url"),
        [(MailKinds.TrialEnding, "de")] = new("Ihre Testphase für {{service_name}} endet in {{days_left}} Tag(en)",
            ["Ihre Testphase für {{service_name}} ({{plan_name}}) endet am {{trial_end}}.", "Wenn Sie weitermachen möchten, ist nichts zu tun. Um den Tarif zu ändern oder zu kündigen, öffnen Sie das Portal."],
            "Portal öffnen", "portal_url"),
        [(MailKinds.PaymentFailed, "en")] = new("Payment for invoice {{invoice_number}} failed",
            ["we could not collect {{amount_due}} for invoice {{invoice_number}} ({{decline_code}}).", "{{#if next_retry_at}}We will try again on {{next_retry_at}}.{{/if}} Please check your payment method."],
            "Pay the invoice", "invoice_url"),
        [(MailKinds.PaymentFailed, "de")] = new("Zahlung für Rechnung {{invoice_number}} fehlgeschlagen",
            ["wir konnten {{amount_due}} für die Rechnung {{invoice_number}} nicht einziehen ({{decline_code}}).", "{{#if next_retry_at}}Wir versuchen es am {{next_retry_at}} erneut.{{/if}} Bitte prüfen Sie Ihre Zahlungsmethode."],
            "Rechnung bezahlen", "invoice_url"),
        [(MailKinds.DunningReminder, "en")] = new("Reminder: invoice {{invoice_number}} is unpaid",
            ["invoice {{invoice_number}} is still unpaid: {{amount_due}} has been due for {{days_since_first_failure}} day(s).", "{{#if next_step_at}}Please pay before {{next_step_at}} to keep your services running.{{/if}}"],
            "Pay the invoice", "invoice_url"),
        [(MailKinds.DunningReminder, "de")] = new("Zahlungserinnerung: Rechnung {{invoice_number}} ist offen",
            ["die Rechnung {{invoice_number}} ist noch offen: {{amount_due}} sind seit {{days_since_first_failure}} Tag(en) fällig.", "{{#if next_step_at}}Bitte zahlen Sie vor dem {{next_step_at}}, damit Ihre Dienste weiterlaufen.{{/if}}"],
            "Rechnung bezahlen", "invoice_url"),
        [(MailKinds.SubscriptionActivated, "en")] = new("{{service_name}} is active",
            ["your subscription to {{service_name}} ({{plan_name}}) is active.", "{{#if trial_end}}Your trial runs until {{trial_end}}.{{else}}The current period runs until {{current_period_end}}.{{/if}}"],
            "Open the portal", "portal_url"),
        [(MailKinds.SubscriptionActivated, "de")] = new("{{service_name}} ist aktiv",
            ["Ihr Abonnement für {{service_name}} ({{plan_name}}) ist aktiv.", "{{#if trial_end}}Ihre Testphase läuft bis zum {{trial_end}}.{{else}}Der laufende Zeitraum endet am {{current_period_end}}.{{/if}}"],
            "Portal öffnen", "portal_url"),
        [(MailKinds.SubscriptionCancelled, "en")] = new("{{service_name}} was cancelled",
            ["your subscription to {{service_name}} ({{plan_name}}) was cancelled.", "{{#if reason}}Reason: {{reason}}{{/if}}"], "Open the portal", "portal_url"),
        [(MailKinds.SubscriptionCancelled, "de")] = new("{{service_name}} wurde gekündigt",
            ["Ihr Abonnement für {{service_name}} ({{plan_name}}) wurde gekündigt.", "{{#if reason}}Grund: {{reason}}{{/if}}"], "Portal öffnen", "portal_url"),
        [(MailKinds.SubscriptionSuspended, "en")] = new("{{service_name}} was suspended",
            ["your subscription to {{service_name}} ({{plan_name}}) was suspended.", "{{#if reason}}Reason: {{reason}}{{/if}} Settle the open invoices to resume it."], "Open the portal", "portal_url"),
        [(MailKinds.SubscriptionSuspended, "de")] = new("{{service_name}} wurde ausgesetzt",
            ["Ihr Abonnement für {{service_name}} ({{plan_name}}) wurde ausgesetzt.", "{{#if reason}}Grund: {{reason}}{{/if}} Begleichen Sie die offenen Rechnungen, um es fortzusetzen."], "Portal öffnen", "portal_url"),
        [(MailKinds.ProvisioningFailed, "en")] = new("Setting up {{service_name}} failed",
            ["we could not set up {{service_name}} for {{tenant_name}}: {{error}}.", "Our team has been told and will retry; no action is needed from you."], "Open the portal", "portal_url"),
        [(MailKinds.ProvisioningFailed, "de")] = new("Einrichtung von {{service_name}} fehlgeschlagen",
            ["wir konnten {{service_name}} für {{tenant_name}} nicht einrichten: {{error}}.", "Unser Team ist informiert und versucht es erneut; Sie müssen nichts tun."], "Portal öffnen", "portal_url"),
        [(MailKinds.Welcome, "en")] = new("Welcome to {{seller_name}}, {{user_name}}",
            ["welcome aboard: your account for {{tenant_name}} is ready.", "Sign in to manage subscriptions, invoices and billing contacts."], "Sign in", "login_url"),
        [(MailKinds.Welcome, "de")] = new("Willkommen bei {{seller_name}}, {{user_name}}",
            ["willkommen: Ihr Konto für {{tenant_name}} ist bereit.", "Melden Sie sich an, um Abonnements, Rechnungen und Rechnungskontakte zu verwalten."], "Anmelden", "login_url"),
    };

    private static readonly Dictionary<string, (string Greeting, string Regards)> Phrases = new()
    {
        ["en"] = ("Hello {{recipient_name}},", "Kind regards"),
        ["de"] = ("Guten Tag {{recipient_name}},", "Mit freundlichen Grüßen"),
    };

    /// <summary>The built-in parts of <paramref name="kind"/> in <paramref name="language"/> ("en" | "de"), or null.</summary>
    public static MailTemplateParts? For(string kind, string language)
    {
        if (!Contents.TryGetValue((kind, language), out var c))
        {
            return null;
        }

        var (greeting, regards) = Phrases[language];
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"{{language}}\">\n<head><meta charset=\"utf-8\"><title>").Append(c.Subject).Append("</title></head>\n");
        html.Append("<body style=\"margin:0;padding:24px;background:#f5f6f8;font-family:Arial,Helvetica,sans-serif;color:#1f2933\">\n");
        html.Append("<div style=\"max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px\">\n");
        html.Append("<p>").Append(greeting).Append("</p>\n");
        foreach (var p in c.Paragraphs)
        {
            html.Append("<p>").Append(p).Append("</p>\n");
        }

        if (c.ButtonLabel is not null)
        {
            html.Append("<p><a href=\"{{").Append(c.ButtonUrl).Append("}}\" style=\"display:inline-block;padding:10px 18px;background:#1565c0;color:#fff;border-radius:4px;text-decoration:none\">")
                .Append(c.ButtonLabel).Append("</a></p>\n");
        }

        html.Append("<p>").Append(regards).Append("<br>{{seller_name}}</p>\n");
        html.Append("<p style=\"color:#6b7280;font-size:12px\">{{seller_name}} · <a href=\"mailto:{{seller_email}}\">{{seller_email}}</a></p>\n</div>\n</body>\n</html>\n");

        var text = new StringBuilder();
        text.Append(greeting).Append("\n\n");
        foreach (var p in c.Paragraphs)
        {
            text.Append(p).Append("\n\n");
        }

        if (c.ButtonLabel is not null)
        {
            text.Append(c.ButtonLabel).Append(": {{").Append(c.ButtonUrl).Append("}}\n\n");
        }

        text.Append(regards).Append("\n{{seller_name}}\n{{seller_email}}\n");
        return new MailTemplateParts(c.Subject, html.ToString(), text.ToString());
    }
}
