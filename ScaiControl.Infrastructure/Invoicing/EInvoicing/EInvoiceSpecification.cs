using System.Globalization;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Infrastructure.Invoicing.EInvoicing;

/// <summary>The specification a document claims to follow (BT-24 specification identifier, BT-23 business process).</summary>
public enum EInvoiceSpecification
{
    /// <summary>EN 16931-1:2017 core: BT-24 "urn:cen.eu:en16931:2017", no BT-23.</summary>
    En16931,

    /// <summary>Peppol BIS Billing 3.0 (a CIUS of EN 16931), billing process 01.</summary>
    PeppolBis3,

    /// <summary>XRechnung 3.0 (the German CIUS of EN 16931, KoSIT), billing process 01.</summary>
    XRechnung3,
}

/// <summary>Identifiers of the specifications, and the checks a document must pass before it is written in one.</summary>
public static class EInvoiceSpecifications
{
    /// <summary>BT-24 of EN 16931 itself.</summary>
    public const string En16931Id = "urn:cen.eu:en16931:2017";

    /// <summary>BT-24 of Peppol BIS Billing 3.0.</summary>
    public const string PeppolBis3Id = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";

    /// <summary>BT-24 of XRechnung 3.0.</summary>
    public const string XRechnung3Id = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";

    /// <summary>BT-23 business process of Peppol BIS Billing (process 01, billing), also used by XRechnung.</summary>
    public const string PeppolBillingProcessId = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

    /// <summary>The specification identifier (BT-24) of <paramref name="specification"/>.</summary>
    public static string CustomizationId(this EInvoiceSpecification specification) => specification switch
    {
        EInvoiceSpecification.En16931 => En16931Id,
        EInvoiceSpecification.PeppolBis3 => PeppolBis3Id,
        EInvoiceSpecification.XRechnung3 => XRechnung3Id,
    };

    /// <summary>The business process (BT-23) of <paramref name="specification"/>, or null when it has none.</summary>
    public static string? ProfileId(this EInvoiceSpecification specification) => specification switch
    {
        EInvoiceSpecification.En16931 => null,
        EInvoiceSpecification.PeppolBis3 => PeppolBillingProcessId,
        EInvoiceSpecification.XRechnung3 => PeppolBillingProcessId,
    };

    /// <summary>BT-10 as Peppol BIS writes it: the buyer reference, else the customer number (PEPPOL-EN16931-R003).</summary>
    public static string? PeppolBuyerReference(EInvoiceDocument document) => document.BuyerReference ?? document.CustomerNumber;

    /// <summary>True when the document has a line of category O ("not subject to VAT"); then, by BR-O-02, neither the
    /// seller's nor the buyer's VAT identifier may be written.</summary>
    public static bool IsNotSubjectToVat(EInvoiceDocument document) => document.Lines.Any(l => l.VatCategory == VatCategory.O);

    /// <summary>
    /// Checks that <paramref name="document"/> has what EN 16931 and <paramref name="specification"/> require and that
    /// the writers cannot supply themselves.
    /// </summary>
    /// <exception cref="EInvoiceDataMissingException">Something is missing; the message lists every missing value.</exception>
    public static void Require(EInvoiceDocument document, EInvoiceSpecification specification, string format)
    {
        var missing = new List<string>();
        if (document.Lines.Count == 0)
        {
            missing.Add("at least one invoice line (BR-16)");
        }

        if (Currencies.MinorDigits(document.Currency) > 2)
        {
            missing.Add($"a currency with at most 2 minor digits, not {document.Currency} (BR-DEC-*)");
        }

        if (document.TypeCode == EInvoiceTypeCode.CreditNote && document.PrecedingInvoice is null)
        {
            missing.Add("the preceding invoice number of the credit note (BT-25)");
        }

        if (IsNotSubjectToVat(document))
        {
            if (document.Lines.Any(l => l.VatCategory != VatCategory.O))
            {
                missing.Add("a single VAT category: an invoice with category O lines may not have lines of another category (BR-O-11, BR-O-12)");
            }

            if (document.Seller.LegalRegistrationId is null)
            {
                missing.Add("the seller legal registration identifier (BT-30): category O forbids the seller VAT identifier (BR-O-02) and the seller must stay identifiable (BR-CO-26)");
            }
        }

        foreach (var line in document.Lines)
        {
            var bad = line.VatCategory switch
            {
                VatCategory.S => line.VatRate.BasisPoints <= 0 ? "a positive VAT rate for category S (BR-S-05)" : null,
                VatCategory.O => null,
                _ => line.VatRate.BasisPoints != 0 ? $"VAT rate 0 for category {line.VatCategory} (BR-{line.VatCategory}-05)" : null,
            };
            if (bad is not null)
            {
                missing.Add($"{bad} on line {line.Id}");
            }
        }

        if (specification == EInvoiceSpecification.XRechnung3 && document.BuyerReference is null)
        {
            missing.Add("the buyer reference (BT-10, BR-DE-15): XRechnung needs the buyer's Leitweg-ID in the billing profile's buyer_reference");
        }

        if (specification == EInvoiceSpecification.PeppolBis3)
        {
            if (PeppolBuyerReference(document) is null)
            {
                missing.Add("the buyer reference (BT-10, PEPPOL-EN16931-R003): set EInvoiceContext.BuyerReference or the customer number");
            }

            if (document.Seller.PeppolEndpoint is null)
            {
                missing.Add("the seller's Peppol electronic address (BT-34, PEPPOL-EN16931-R020/CL008): the seller needs a VAT id or a registration number with an EAS scheme");
            }

            if (document.Buyer.PeppolEndpoint is null)
            {
                missing.Add("the buyer's Peppol electronic address (BT-49, PEPPOL-EN16931-R010/CL008): the billing profile needs a VAT id or a company registration number with its ICD (Peppol does not deliver to consumers)");
            }
        }

        if (specification == EInvoiceSpecification.XRechnung3)
        {
            if (document.Payment is null)
            {
                missing.Add("payment instructions (BG-16, BR-DE-1): the seller has no IBAN");
            }

            var contact = document.Seller.Contact;
            if (string.IsNullOrWhiteSpace(contact?.Name))
            {
                missing.Add("the seller contact point (BT-41, BR-DE-5)");
            }

            if (string.IsNullOrWhiteSpace(contact?.Telephone))
            {
                missing.Add("the seller contact telephone number (BT-42, BR-DE-6): set EInvoiceContext.SellerContactPhone");
            }

            if (string.IsNullOrWhiteSpace(contact?.Email))
            {
                missing.Add("the seller contact e-mail address (BT-43, BR-DE-7)");
            }
        }

        if (missing.Count > 0)
        {
            throw new EInvoiceDataMissingException(format, missing);
        }
    }
}

/// <summary>Invariant text of EN 16931 data types: amounts with exactly two decimals, percentages, dates. Integer arithmetic only.</summary>
internal static class EInvoiceText
{
    /// <summary>An amount of minor units of <paramref name="currency"/> as "1234.50" (exactly two decimals, BR-DEC-*).</summary>
    public static string Amount(long minorUnits, string currency) => Currencies.MinorDigits(currency) switch
    {
        0 => Hundredths(checked(minorUnits * 100)),
        1 => Hundredths(checked(minorUnits * 10)),
        2 => Hundredths(minorUnits),
        var digits => throw new ArgumentOutOfRangeException(nameof(currency), $"{currency} has {digits} minor digits; EN 16931 amounts take at most 2."),
    };

    /// <summary>A VAT rate as a percentage with two decimals: 2100 basis points → "21.00" (BT-119, BT-152).</summary>
    public static string Percent(VatRate rate) => Hundredths(rate.BasisPoints);

    /// <summary>A whole quantity ("3").</summary>
    public static string Quantity(long quantity) => quantity.ToString(CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 calendar date, as UBL writes it ("2026-11-22").</summary>
    public static string IsoDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>UNTDID 2379 format 102 (CCYYMMDD), as CII writes it ("20261122").</summary>
    public static string Date102(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Hundredths(long hundredths)
    {
        var sign = hundredths < 0 ? "-" : string.Empty;
        var magnitude = hundredths == long.MinValue ? throw new OverflowException("Amount out of range.") : Math.Abs(hundredths);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{magnitude / 100}.{magnitude % 100:00}");
    }
}
