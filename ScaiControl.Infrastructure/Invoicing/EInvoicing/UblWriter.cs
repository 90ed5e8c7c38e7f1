using System.Xml.Linq;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Infrastructure.Invoicing.EInvoicing;

/// <summary>
/// Writes an <see cref="EInvoiceDocument"/> as OASIS UBL 2.1: an Invoice (BT-3 380) or a CreditNote (381) root, with
/// the EN 16931 UBL binding (CEN/TS 16931-3-2) and elements in the order of the UBL 2.1 schemas. Peppol BIS Billing 3.0
/// (<see cref="EInvoiceSpecification.PeppolBis3"/>) and XRechnung 3.0 (<see cref="EInvoiceSpecification.XRechnung3"/>)
/// differ only in BT-24 and in what they require (see <see cref="EInvoiceSpecifications.Require"/>); Peppol allows one
/// note (PEPPOL-EN16931-R002), so notes are joined there.
/// Mapping: BT-1 cbc:ID, BT-2 cbc:IssueDate, BT-9 cbc:DueDate (credit note: cac:PaymentMeans/cbc:PaymentDueDate),
/// BT-3 cbc:InvoiceTypeCode / cbc:CreditNoteTypeCode, BT-22 cbc:Note, BT-5 cbc:DocumentCurrencyCode,
/// BT-10 cbc:BuyerReference, BG-14 cac:InvoicePeriod, BG-3 cac:BillingReference, BG-4/BG-7 cac:Accounting*Party,
/// BG-16 cac:PaymentMeans, BG-23 cac:TaxTotal/cac:TaxSubtotal, BG-22 cac:LegalMonetaryTotal, BG-25 cac:InvoiceLine.
/// </summary>
public static class UblWriter
{
    /// <summary>UBL 2.1 Invoice namespace.</summary>
    public static readonly XNamespace InvoiceNs = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";

    /// <summary>UBL 2.1 CreditNote namespace.</summary>
    public static readonly XNamespace CreditNoteNs = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";

    /// <summary>UBL 2.1 common aggregate components.</summary>
    public static readonly XNamespace Cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";

    /// <summary>UBL 2.1 common basic components.</summary>
    public static readonly XNamespace Cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

    /// <summary>Builds the UBL document of <paramref name="document"/> under <paramref name="specification"/>.</summary>
    /// <exception cref="EInvoiceDataMissingException">The document lacks something the specification requires.</exception>
    public static XDocument Write(EInvoiceDocument document, EInvoiceSpecification specification)
    {
        EInvoiceSpecifications.Require(document, specification, specification == EInvoiceSpecification.XRechnung3 ? "XRechnung UBL" : "UBL");
        var creditNote = document.TypeCode == EInvoiceTypeCode.CreditNote;
        var root = creditNote ? CreditNoteNs : InvoiceNs;
        var currency = document.Currency;
        var notSubjectToVat = EInvoiceSpecifications.IsNotSubjectToVat(document);
        IEnumerable<string> notes = specification == EInvoiceSpecification.PeppolBis3 && document.Notes.Count > 1
            ? [string.Join("\n", document.Notes)]
            : document.Notes;

        var rootElement = new XElement(
            root + (creditNote ? "CreditNote" : "Invoice"),
            new XAttribute(XNamespace.Xmlns + "cac", Cac.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "cbc", Cbc.NamespaceName),
            Basic("CustomizationID", specification.CustomizationId()),
            Optional("ProfileID", specification.ProfileId()),
            Basic("ID", document.Number),
            Basic("IssueDate", EInvoiceText.IsoDate(document.IssueDate)),
            !creditNote && document.DueDate is { } due ? Basic("DueDate", EInvoiceText.IsoDate(due)) : null,
            Basic(creditNote ? "CreditNoteTypeCode" : "InvoiceTypeCode", ((int)document.TypeCode).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            notes.Select(n => Basic("Note", n)),
            Basic("DocumentCurrencyCode", currency),
            Optional("BuyerReference", specification == EInvoiceSpecification.PeppolBis3 ? EInvoiceSpecifications.PeppolBuyerReference(document) : document.BuyerReference),
            Period("InvoicePeriod", document.InvoicingPeriod),
            document.PrecedingInvoice is { } preceding
                ? Aggregate(
                    "BillingReference",
                    Aggregate("InvoiceDocumentReference", Basic("ID", preceding.Number), preceding.IssueDate is { } date ? Basic("IssueDate", EInvoiceText.IsoDate(date)) : null))
                : null,
            Aggregate("AccountingSupplierParty", Party(document.Seller, withVatId: !notSubjectToVat, specification)),
            Aggregate("AccountingCustomerParty", Party(document.Buyer, withVatId: !notSubjectToVat, specification)),
            PaymentMeans(document, creditNote),
            TaxTotal(document, specification),
            Aggregate(
                "LegalMonetaryTotal",
                Amount("LineExtensionAmount", document.Totals.LineNetTotalMinor, currency),
                Amount("TaxExclusiveAmount", document.Totals.TaxExclusiveMinor, currency),
                Amount("TaxInclusiveAmount", document.Totals.TaxInclusiveMinor, currency),
                Amount("PayableAmount", document.Totals.AmountDueMinor, currency)),
            document.Lines.Select(l => Line(l, currency, creditNote)));

        return new XDocument(new XDeclaration("1.0", "UTF-8", null), rootElement);
    }

    private static XElement Basic(string name, string value) => new(Cbc + name, value);

    private static XElement? Optional(string name, string? value) => string.IsNullOrWhiteSpace(value) ? null : new XElement(Cbc + name, value);

    private static XElement Aggregate(string name, params object?[] content) => new(Cac + name, content);

    private static XElement Amount(string name, long minorUnits, string currency) =>
        new(Cbc + name, new XAttribute("currencyID", currency), EInvoiceText.Amount(minorUnits, currency));

    private static XElement? Period(string name, EInvoicePeriod? period) => period is null
        ? null
        : Aggregate(name, Basic("StartDate", EInvoiceText.IsoDate(period.Start)), Basic("EndDate", EInvoiceText.IsoDate(period.End)));

    // Peppol BIS: the EndpointID is the party's id under a Peppol EAS code (PEPPOL-EN16931-CL008 has no "EM"), and the
    // registration number is also the party identifier BT-29/BT-46 with its ICD; elsewhere the e-mail address (EM).
    private static XElement Party(EInvoiceParty party, bool withVatId, EInvoiceSpecification specification) => Aggregate(
        "Party",
        specification == EInvoiceSpecification.PeppolBis3 && party.PeppolEndpoint is { } endpoint
            ? new XElement(Cbc + "EndpointID", new XAttribute("schemeID", endpoint.SchemeId!), endpoint.Value)
            : new XElement(Cbc + "EndpointID", new XAttribute("schemeID", party.ElectronicAddressScheme), party.ElectronicAddress),
        specification == EInvoiceSpecification.PeppolBis3 && party.LegalRegistrationId is { SchemeId: { } icd } id
            ? Aggregate("PartyIdentification", new XElement(Cbc + "ID", new XAttribute("schemeID", icd), id.Value))
            : null,
        Aggregate(
            "PostalAddress",
            Basic("StreetName", party.Address.Line1),
            Optional("AdditionalStreetName", party.Address.Line2),
            Basic("CityName", party.Address.City),
            Basic("PostalZone", party.Address.PostalCode),
            Aggregate("Country", Basic("IdentificationCode", party.Address.CountryCode))),
        withVatId && party.VatId is { } vatId
            ? Aggregate("PartyTaxScheme", Basic("CompanyID", vatId), Aggregate("TaxScheme", Basic("ID", "VAT")))
            : null,
        Aggregate(
            "PartyLegalEntity",
            Basic("RegistrationName", party.Name),
            party.LegalRegistrationId is { } registration
                ? new XElement(Cbc + "CompanyID", registration.SchemeId is { } scheme ? new XAttribute("schemeID", scheme) : null, registration.Value)
                : null),
        party.Contact is { } contact && (contact.Name ?? contact.Telephone ?? contact.Email) is not null
            ? Aggregate("Contact", Optional("Name", contact.Name), Optional("Telephone", contact.Telephone), Optional("ElectronicMail", contact.Email))
            : null);

    private static XElement? PaymentMeans(EInvoiceDocument document, bool creditNote)
    {
        if (document.Payment is not { } payment)
        {
            return null;
        }

        return Aggregate(
            "PaymentMeans",
            Basic("PaymentMeansCode", payment.MeansCode),
            creditNote && document.DueDate is { } due ? Basic("PaymentDueDate", EInvoiceText.IsoDate(due)) : null,
            Optional("PaymentID", payment.RemittanceInformation),
            payment.Iban is { } iban
                ? Aggregate(
                    "PayeeFinancialAccount",
                    Basic("ID", iban),
                    payment.Bic is { } bic ? Aggregate("FinancialInstitutionBranch", Basic("ID", bic)) : null)
                : null);
    }

    private static XElement TaxTotal(EInvoiceDocument document, EInvoiceSpecification specification) => Aggregate(
        "TaxTotal",
        Amount("TaxAmount", document.Totals.VatTotalMinor, document.Currency),
        document.VatBreakdown.Select(b => Aggregate(
            "TaxSubtotal",
            Amount("TaxableAmount", b.TaxableAmountMinor, document.Currency),
            Amount("TaxAmount", b.TaxAmountMinor, document.Currency),
            Aggregate(
                "TaxCategory",
                Basic("ID", b.Category.ToString()),
                WritesBreakdownRate(b.Category, specification) ? Basic("Percent", EInvoiceText.Percent(b.Rate)) : null,
                Optional("TaxExemptionReasonCode", b.Exemption?.ReasonCode),
                Optional("TaxExemptionReason", b.Exemption?.Reason),
                Aggregate("TaxScheme", Basic("ID", "VAT"))))));

    /// <summary>BT-119 is left out for category O (BR-48 allows it) except in XRechnung, which requires it (BR-DE-14).</summary>
    internal static bool WritesBreakdownRate(VatCategory category, EInvoiceSpecification specification) =>
        category != VatCategory.O || specification == EInvoiceSpecification.XRechnung3;

    private static XElement Line(EInvoiceLine line, string currency, bool creditNote) => Aggregate(
        creditNote ? "CreditNoteLine" : "InvoiceLine",
        Basic("ID", line.Id),
        new XElement(Cbc + (creditNote ? "CreditedQuantity" : "InvoicedQuantity"), new XAttribute("unitCode", line.UnitCode), EInvoiceText.Quantity(line.Quantity)),
        Amount("LineExtensionAmount", line.NetAmountMinor, currency),
        Period("InvoicePeriod", line.Period),
        line.Allowances.Select(a => Aggregate(
            "AllowanceCharge",
            Basic("ChargeIndicator", "false"),
            Optional("AllowanceChargeReasonCode", a.ReasonCode),
            Basic("AllowanceChargeReason", a.Reason),
            Amount("Amount", a.AmountMinor, currency))),
        Aggregate(
            "Item",
            Basic("Name", line.ItemName),
            Aggregate(
                "ClassifiedTaxCategory",
                Basic("ID", line.VatCategory.ToString()),
                line.VatCategory == VatCategory.O ? null : Basic("Percent", EInvoiceText.Percent(line.VatRate)),
                Aggregate("TaxScheme", Basic("ID", "VAT")))),
        Aggregate("Price", Amount("PriceAmount", line.NetPriceMinor, currency)));
}
