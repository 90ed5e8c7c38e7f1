using ScaiControl.Domain.Templates;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Infrastructure.Invoicing;

/// <summary>
/// The words of invoice and credit-note documents per language, given to every template as <c>t</c> (e.g.
/// <c>{{t.number_label}}</c>): English and German; any other language falls back along its BCP 47 chain to English
/// (<see cref="TemplateLanguage.Chain"/>). Credit notes get their own labels (credit note number, the corrected
/// invoice, amount credited, how it is settled) so no credit note reads "Invoice number" or "Please pay".
/// </summary>
public static class InvoiceTexts
{
    private static readonly Dictionary<string, string> En = new(StringComparer.Ordinal)
    {
        ["invoice_title"] = "Invoice",
        ["credit_note_title"] = "Credit note",
        ["invoice_number_label"] = "Invoice number",
        ["credit_note_number_label"] = "Credit note number",
        ["issue_date_label"] = "Issue date",
        ["due_date_label"] = "Due date",
        ["currency_label"] = "Currency",
        ["corrects_label"] = "Corrects invoice",
        ["of_date"] = "of",
        ["buyer_reference_label"] = "Your reference",
        ["seller_label"] = "Seller",
        ["buyer_label"] = "Buyer",
        ["vat_id_label"] = "VAT ID",
        ["registration_label"] = "Company registration",
        ["position_label"] = "#",
        ["description_label"] = "Description",
        ["period_label"] = "Period",
        ["quantity_label"] = "Qty",
        ["unit_price_label"] = "Unit price",
        ["vat_label"] = "VAT",
        ["net_amount_label"] = "Net amount",
        ["vat_category_label"] = "VAT category",
        ["rate_label"] = "Rate",
        ["taxable_label"] = "Taxable amount",
        ["vat_amount_label"] = "VAT amount",
        ["net_total_label"] = "Total net",
        ["vat_total_label"] = "Total VAT",
        ["total_due_label"] = "Total due",
        ["total_credited_label"] = "Amount credited",
        ["payment_instruction"] = "Please pay {0} by {1} to IBAN {2} (BIC {3}), quoting {4}.",
        ["credit_settlement"] = "{0} is credited to you against invoice {1}: it is set off against what is still open on that invoice, and anything already paid is refunded to your account. You need not pay anything for this credit note.",
        ["vat_S"] = "Standard rate",
        ["vat_AE"] = "Reverse charge: VAT to be accounted for by the recipient",
        ["vat_O"] = "Outside the scope of EU VAT",
        ["vat_Z"] = "Zero rated",
        ["vat_E"] = "Exempt from VAT",
        ["vat_K"] = "Intra-community supply, exempt from VAT",
        ["vat_G"] = "Export outside the EU, free of VAT",
    };

    private static readonly Dictionary<string, string> De = new(StringComparer.Ordinal)
    {
        ["invoice_title"] = "Rechnung",
        ["credit_note_title"] = "Gutschrift",
        ["invoice_number_label"] = "Rechnungsnummer",
        ["credit_note_number_label"] = "Gutschriftsnummer",
        ["issue_date_label"] = "Datum",
        ["due_date_label"] = "Fällig am",
        ["currency_label"] = "Währung",
        ["corrects_label"] = "Korrigiert die Rechnung",
        ["of_date"] = "vom",
        ["buyer_reference_label"] = "Ihre Referenz",
        ["seller_label"] = "Verkäufer",
        ["buyer_label"] = "Käufer",
        ["vat_id_label"] = "USt-IdNr.",
        ["registration_label"] = "Handelsregister",
        ["position_label"] = "Pos.",
        ["description_label"] = "Beschreibung",
        ["period_label"] = "Zeitraum",
        ["quantity_label"] = "Menge",
        ["unit_price_label"] = "Einzelpreis",
        ["vat_label"] = "USt.",
        ["net_amount_label"] = "Nettobetrag",
        ["vat_category_label"] = "USt.-Kategorie",
        ["rate_label"] = "Satz",
        ["taxable_label"] = "Bemessungsgrundlage",
        ["vat_amount_label"] = "Steuerbetrag",
        ["net_total_label"] = "Summe netto",
        ["vat_total_label"] = "Umsatzsteuer",
        ["total_due_label"] = "Zahlbetrag",
        ["total_credited_label"] = "Gutgeschriebener Betrag",
        ["payment_instruction"] = "Bitte überweisen Sie {0} bis zum {1} auf das Konto IBAN {2} (BIC {3}) unter Angabe von {4}.",
        ["credit_settlement"] = "{0} werden Ihnen zur Rechnung {1} gutgeschrieben: der Betrag wird mit dem noch offenen Betrag dieser Rechnung verrechnet, bereits Gezahltes erstatten wir auf Ihr Konto. Für diese Gutschrift ist nichts zu zahlen.",
        ["vat_S"] = "Normalsatz",
        ["vat_AE"] = "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
        ["vat_O"] = "Nicht im Anwendungsbereich der EU-Mehrwertsteuer",
        ["vat_Z"] = "Nullsatz",
        ["vat_E"] = "Steuerbefreit",
        ["vat_K"] = "Steuerfreie innergemeinschaftliche Lieferung",
        ["vat_G"] = "Steuerfreie Ausfuhr",
    };

    private static readonly Dictionary<string, Dictionary<string, string>> ByLanguage = new(StringComparer.Ordinal) { ["en"] = En, ["de"] = De };

    /// <summary>The language whose texts apply to <paramref name="language"/> (BCP 47; null or unknown = "en"): the first of its chain we have texts for.</summary>
    public static string Resolve(string? language)
    {
        IReadOnlyList<string> chain;
        try
        {
            chain = TemplateLanguage.Chain(language);
        }
        catch (Domain.Common.DomainValidationException)
        {
            chain = [TemplateLanguage.Default];
        }

        return chain.First(ByLanguage.ContainsKey);
    }

    /// <summary>The texts of <paramref name="language"/> (see <see cref="Resolve"/>).</summary>
    public static IReadOnlyDictionary<string, string> For(string? language) => ByLanguage[Resolve(language)];

    /// <summary>A VAT category (UNCL 5305) in words, e.g. S "Standard rate", AE "Reverse charge ...", O "Outside the scope of EU VAT".</summary>
    public static string Category(VatCategory category, string? language) =>
        For(language).TryGetValue("vat_" + category, out var text) ? text : category.ToString();

    // German short names (StAGN / Auswärtiges Amt country list) of the EU, EEA and the platform's usual buyer countries;
    // ICU on this platform gives RegionInfo names in English only.
    private static readonly Dictionary<string, string> GermanCountryNames = new(StringComparer.Ordinal)
    {
        ["AT"] = "Österreich", ["BE"] = "Belgien", ["BG"] = "Bulgarien", ["HR"] = "Kroatien", ["CY"] = "Zypern", ["CZ"] = "Tschechien",
        ["DK"] = "Dänemark", ["EE"] = "Estland", ["FI"] = "Finnland", ["FR"] = "Frankreich", ["DE"] = "Deutschland", ["GR"] = "Griechenland",
        ["HU"] = "Ungarn", ["IE"] = "Irland", ["IT"] = "Italien", ["LV"] = "Lettland", ["LT"] = "Litauen", ["LU"] = "Luxemburg", ["MT"] = "Malta",
        ["NL"] = "Niederlande", ["PL"] = "Polen", ["PT"] = "Portugal", ["RO"] = "Rumänien", ["SK"] = "Slowakei", ["SI"] = "Slowenien",
        ["ES"] = "Spanien", ["SE"] = "Schweden", ["NO"] = "Norwegen", ["IS"] = "Island", ["LI"] = "Liechtenstein", ["CH"] = "Schweiz",
        ["GB"] = "Vereinigtes Königreich", ["US"] = "Vereinigte Staaten", ["CA"] = "Kanada", ["AU"] = "Australien", ["JP"] = "Japan",
        ["CN"] = "China", ["IN"] = "Indien", ["TR"] = "Türkei", ["UA"] = "Ukraine", ["MC"] = "Monaco",
    };

    /// <summary>The country's name in the document language (German from a table, see above), else its English name (CLDR).</summary>
    public static string CountryName(string code, string? language) =>
        Resolve(language) == "de" && GermanCountryNames.TryGetValue(code, out var german) ? german : Domain.Common.Countries.NameOf(code);
}
