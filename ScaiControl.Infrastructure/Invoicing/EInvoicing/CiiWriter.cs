using System.Globalization;
using System.Xml.Linq;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Infrastructure.Invoicing.EInvoicing;

/// <summary>
/// Writes an <see cref="EInvoiceDocument"/> as UN/CEFACT Cross Industry Invoice D16B (rsm:CrossIndustryInvoice) with the
/// EN 16931 CII binding (CEN/TS 16931-3-3), elements in the order of the D16B schema. Invoices and credit notes share
/// the root; BT-3 tells them apart. <see cref="EInvoiceSpecification.En16931"/> writes guideline
/// "urn:cen.eu:en16931:2017" and no BT-23; <see cref="EInvoiceSpecification.XRechnung3"/> writes the XRechnung 3.0
/// guideline and the Peppol billing process.
/// Mapping: BT-24/BT-23 rsm:ExchangedDocumentContext, BT-1/BT-3/BT-2/BT-22 rsm:ExchangedDocument, BG-25
/// ram:IncludedSupplyChainTradeLineItem, BT-10/BG-4/BG-7 ram:ApplicableHeaderTradeAgreement, BT-83/BT-5/BG-16/BG-23/
/// BG-14/BT-9/BG-22/BG-3 ram:ApplicableHeaderTradeSettlement.
/// </summary>
public static class CiiWriter
{
    /// <summary>rsm: CrossIndustryInvoice:100.</summary>
    public static readonly XNamespace Rsm = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";

    /// <summary>ram: ReusableAggregateBusinessInformationEntity:100.</summary>
    public static readonly XNamespace Ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";

    /// <summary>qdt: QualifiedDataType:100.</summary>
    public static readonly XNamespace Qdt = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";

    /// <summary>udt: UnqualifiedDataType:100.</summary>
    public static readonly XNamespace Udt = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";

    /// <summary>Builds the CII document of <paramref name="document"/> under <paramref name="specification"/>.</summary>
    /// <exception cref="EInvoiceDataMissingException">The document lacks something the specification requires.</exception>
    public static XDocument Write(EInvoiceDocument document, EInvoiceSpecification specification)
    {
        EInvoiceSpecifications.Require(document, specification, specification == EInvoiceSpecification.XRechnung3 ? "XRechnung CII" : "CII");
        var currency = document.Currency;
        var notSubjectToVat = EInvoiceSpecifications.IsNotSubjectToVat(document);
        var totals = document.Totals;

        var root = new XElement(
            Rsm + "CrossIndustryInvoice",
            new XAttribute(XNamespace.Xmlns + "rsm", Rsm.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "ram", Ram.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "qdt", Qdt.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "udt", Udt.NamespaceName),
            new XElement(
                Rsm + "ExchangedDocumentContext",
                specification.ProfileId() is { } profile ? R("BusinessProcessSpecifiedDocumentContextParameter", R("ID", profile)) : null,
                R("GuidelineSpecifiedDocumentContextParameter", R("ID", specification.CustomizationId()))),
            new XElement(
                Rsm + "ExchangedDocument",
                R("ID", document.Number),
                R("TypeCode", ((int)document.TypeCode).ToString(CultureInfo.InvariantCulture)),
                R("IssueDateTime", DateTime(document.IssueDate)),
                document.Notes.Select(n => R("IncludedNote", R("Content", n)))),
            new XElement(
                Rsm + "SupplyChainTradeTransaction",
                document.Lines.Select(l => Line(l, currency)),
                R(
                    "ApplicableHeaderTradeAgreement",
                    Optional("BuyerReference", document.BuyerReference),
                    Party("SellerTradeParty", document.Seller, withVatId: !notSubjectToVat),
                    Party("BuyerTradeParty", document.Buyer, withVatId: !notSubjectToVat)),
                R("ApplicableHeaderTradeDelivery"),
                R(
                    "ApplicableHeaderTradeSettlement",
                    Optional("PaymentReference", document.Payment?.RemittanceInformation),
                    R("InvoiceCurrencyCode", currency),
                    document.Payment is { } payment
                        ? R(
                            "SpecifiedTradeSettlementPaymentMeans",
                            R("TypeCode", payment.MeansCode),
                            payment.Iban is { } iban ? R("PayeePartyCreditorFinancialAccount", R("IBANID", iban)) : null,
                            payment.Bic is { } bic ? R("PayeeSpecifiedCreditorFinancialInstitution", R("BICID", bic)) : null)
                        : null,
                    document.VatBreakdown.Select(b => R(
                        "ApplicableTradeTax",
                        R("CalculatedAmount", EInvoiceText.Amount(b.TaxAmountMinor, currency)),
                        R("TypeCode", "VAT"),
                        Optional("ExemptionReason", b.Exemption?.Reason),
                        R("BasisAmount", EInvoiceText.Amount(b.TaxableAmountMinor, currency)),
                        R("CategoryCode", b.Category.ToString()),
                        Optional("ExemptionReasonCode", b.Exemption?.ReasonCode),
                        UblWriter.WritesBreakdownRate(b.Category, specification) ? R("RateApplicablePercent", EInvoiceText.Percent(b.Rate)) : null)),
                    Period(document.InvoicingPeriod),
                    document.DueDate is { } due ? R("SpecifiedTradePaymentTerms", R("DueDateDateTime", DateTime(due))) : null,
                    R(
                        "SpecifiedTradeSettlementHeaderMonetarySummation",
                        R("LineTotalAmount", EInvoiceText.Amount(totals.LineNetTotalMinor, currency)),
                        R("TaxBasisTotalAmount", EInvoiceText.Amount(totals.TaxExclusiveMinor, currency)),
                        new XElement(Ram + "TaxTotalAmount", new XAttribute("currencyID", currency), EInvoiceText.Amount(totals.VatTotalMinor, currency)),
                        R("GrandTotalAmount", EInvoiceText.Amount(totals.TaxInclusiveMinor, currency)),
                        R("DuePayableAmount", EInvoiceText.Amount(totals.AmountDueMinor, currency))),
                    document.PrecedingInvoice is { } preceding
                        ? R(
                            "InvoiceReferencedDocument",
                            R("IssuerAssignedID", preceding.Number),
                            preceding.IssueDate is { } date
                                ? R("FormattedIssueDateTime", new XElement(Qdt + "DateTimeString", new XAttribute("format", "102"), EInvoiceText.Date102(date)))
                                : null)
                        : null)));

        return new XDocument(new XDeclaration("1.0", "UTF-8", null), root);
    }

    private static XElement R(string name, params object?[] content) => new(Ram + name, content);

    private static XElement? Optional(string name, string? value) => string.IsNullOrWhiteSpace(value) ? null : R(name, value);

    private static XElement DateTime(DateOnly date) => new(Udt + "DateTimeString", new XAttribute("format", "102"), EInvoiceText.Date102(date));

    private static XElement? Period(EInvoicePeriod? period) => period is null
        ? null
        : R("BillingSpecifiedPeriod", R("StartDateTime", DateTime(period.Start)), R("EndDateTime", DateTime(period.End)));

    private static XElement Party(string name, EInvoiceParty party, bool withVatId) => R(
        name,
        R("Name", party.Name),
        party.LegalRegistrationId is { } registration
            ? R("SpecifiedLegalOrganization", new XElement(Ram + "ID", registration.SchemeId is { } scheme ? new XAttribute("schemeID", scheme) : null, registration.Value))
            : null,
        party.Contact is { } contact && (contact.Name ?? contact.Telephone ?? contact.Email) is not null
            ? R(
                "DefinedTradeContact",
                Optional("PersonName", contact.Name),
                contact.Telephone is { Length: > 0 } phone ? R("TelephoneUniversalCommunication", R("CompleteNumber", phone)) : null,
                contact.Email is { Length: > 0 } email ? R("EmailURIUniversalCommunication", R("URIID", email)) : null)
            : null,
        R(
            "PostalTradeAddress",
            R("PostcodeCode", party.Address.PostalCode),
            R("LineOne", party.Address.Line1),
            Optional("LineTwo", party.Address.Line2),
            R("CityName", party.Address.City),
            R("CountryID", party.Address.CountryCode)),
        R("URIUniversalCommunication", new XElement(Ram + "URIID", new XAttribute("schemeID", party.ElectronicAddressScheme), party.ElectronicAddress)),
        withVatId && party.VatId is { } vatId ? R("SpecifiedTaxRegistration", new XElement(Ram + "ID", new XAttribute("schemeID", "VA"), vatId)) : null);

    private static XElement Line(EInvoiceLine line, string currency) => R(
        "IncludedSupplyChainTradeLineItem",
        R("AssociatedDocumentLineDocument", R("LineID", line.Id)),
        R("SpecifiedTradeProduct", R("Name", line.ItemName)),
        R("SpecifiedLineTradeAgreement", R("NetPriceProductTradePrice", R("ChargeAmount", EInvoiceText.Amount(line.NetPriceMinor, currency)))),
        R("SpecifiedLineTradeDelivery", new XElement(Ram + "BilledQuantity", new XAttribute("unitCode", line.UnitCode), EInvoiceText.Quantity(line.Quantity))),
        R(
            "SpecifiedLineTradeSettlement",
            R(
                "ApplicableTradeTax",
                R("TypeCode", "VAT"),
                R("CategoryCode", line.VatCategory.ToString()),
                line.VatCategory == VatCategory.O ? null : R("RateApplicablePercent", EInvoiceText.Percent(line.VatRate))),
            Period(line.Period),
            line.Allowances.Select(a => R(
                "SpecifiedTradeAllowanceCharge",
                R("ChargeIndicator", new XElement(Udt + "Indicator", "false")),
                R("ActualAmount", EInvoiceText.Amount(a.AmountMinor, currency)),
                Optional("ReasonCode", a.ReasonCode),
                R("Reason", a.Reason))),
            R("SpecifiedTradeSettlementLineMonetarySummation", R("LineTotalAmount", EInvoiceText.Amount(line.NetAmountMinor, currency)))));
}
