using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using System.Xml.XPath;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>The two syntaxes EN 16931 binds to.</summary>
internal enum Syntax
{
    Ubl,
    Cii,
}

/// <summary>
/// A parsed e-invoice read through EN 16931 business terms. Each term (BT-n) and group (BG-n) has one XPath per syntax,
/// taken from the syntax bindings (CEN/TS 16931-3-2 for UBL, -3-3 for CII) as the official schematron uses them, so a
/// rule is written once against business terms and evaluated on the XML of both syntaxes.
/// </summary>
internal sealed class EInvoiceView
{
    private const string SellerUbl = "cac:AccountingSupplierParty/cac:Party/";
    private const string BuyerUbl = "cac:AccountingCustomerParty/cac:Party/";
    private const string Agreement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/";
    private const string SellerCii = Agreement + "ram:SellerTradeParty/";
    private const string BuyerCii = Agreement + "ram:BuyerTradeParty/";
    private const string Settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/";
    private const string Totals = Settlement + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/";

    public static readonly XmlNamespaceManager Namespaces = CreateNamespaces();

    // Document level: relative to the root element.
    private static readonly Dictionary<string, (string Ubl, string Cii)> DocumentTerms = new(StringComparer.Ordinal)
    {
        ["BT-1"] = ("cbc:ID", "rsm:ExchangedDocument/ram:ID"),
        ["BT-2"] = ("cbc:IssueDate", "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
        ["BT-3"] = ("cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode", "rsm:ExchangedDocument/ram:TypeCode"),
        ["BT-5"] = ("cbc:DocumentCurrencyCode", Settlement + "ram:InvoiceCurrencyCode"),
        ["BT-9"] = ("cbc:DueDate | cac:PaymentMeans/cbc:PaymentDueDate", Settlement + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"),
        ["BT-10"] = ("cbc:BuyerReference", Agreement + "ram:BuyerReference"),
        ["BT-13"] = ("cac:OrderReference/cbc:ID", Agreement + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        ["BT-20"] = ("cac:PaymentTerms/cbc:Note", Settlement + "ram:SpecifiedTradePaymentTerms/ram:Description"),
        ["BT-22"] = ("cbc:Note", "rsm:ExchangedDocument/ram:IncludedNote/ram:Content"),
        ["BT-23"] = ("cbc:ProfileID", "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"),
        ["BT-24"] = ("cbc:CustomizationID", "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
        ["BG-3"] = ("cac:BillingReference/cac:InvoiceDocumentReference", Settlement + "ram:InvoiceReferencedDocument"),
        ["BT-25"] = ("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", Settlement + "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
        ["BT-26"] = ("cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate", Settlement + "ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString"),
        ["BG-4"] = ("cac:AccountingSupplierParty/cac:Party", Agreement + "ram:SellerTradeParty"),
        ["BT-27"] = (SellerUbl + "cac:PartyLegalEntity/cbc:RegistrationName", SellerCii + "ram:Name"),
        ["BT-29"] = (SellerUbl + "cac:PartyIdentification/cbc:ID", SellerCii + "ram:ID | " + SellerCii + "ram:GlobalID"),
        ["BT-30"] = (SellerUbl + "cac:PartyLegalEntity/cbc:CompanyID", SellerCii + "ram:SpecifiedLegalOrganization/ram:ID"),
        ["BT-31"] = (SellerUbl + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID", SellerCii + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
        ["BT-32"] = (SellerUbl + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID!='VAT']/cbc:CompanyID", SellerCii + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']"),
        ["BT-34"] = (SellerUbl + "cbc:EndpointID", SellerCii + "ram:URIUniversalCommunication/ram:URIID"),
        ["BT-34-1"] = (SellerUbl + "cbc:EndpointID/@schemeID", SellerCii + "ram:URIUniversalCommunication/ram:URIID/@schemeID"),
        ["BG-5"] = (SellerUbl + "cac:PostalAddress", SellerCii + "ram:PostalTradeAddress"),
        ["BT-35"] = (SellerUbl + "cac:PostalAddress/cbc:StreetName", SellerCii + "ram:PostalTradeAddress/ram:LineOne"),
        ["BT-37"] = (SellerUbl + "cac:PostalAddress/cbc:CityName", SellerCii + "ram:PostalTradeAddress/ram:CityName"),
        ["BT-38"] = (SellerUbl + "cac:PostalAddress/cbc:PostalZone", SellerCii + "ram:PostalTradeAddress/ram:PostcodeCode"),
        ["BT-40"] = (SellerUbl + "cac:PostalAddress/cac:Country/cbc:IdentificationCode", SellerCii + "ram:PostalTradeAddress/ram:CountryID"),
        ["BG-6"] = (SellerUbl + "cac:Contact", SellerCii + "ram:DefinedTradeContact"),
        ["BT-41"] = (SellerUbl + "cac:Contact/cbc:Name", SellerCii + "ram:DefinedTradeContact/ram:PersonName"),
        ["BT-42"] = (SellerUbl + "cac:Contact/cbc:Telephone", SellerCii + "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
        ["BT-43"] = (SellerUbl + "cac:Contact/cbc:ElectronicMail", SellerCii + "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
        ["BG-7"] = ("cac:AccountingCustomerParty/cac:Party", Agreement + "ram:BuyerTradeParty"),
        ["BT-44"] = (BuyerUbl + "cac:PartyLegalEntity/cbc:RegistrationName", BuyerCii + "ram:Name"),
        ["BT-47"] = (BuyerUbl + "cac:PartyLegalEntity/cbc:CompanyID", BuyerCii + "ram:SpecifiedLegalOrganization/ram:ID"),
        ["BT-48"] = (BuyerUbl + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID", BuyerCii + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
        ["BT-49"] = (BuyerUbl + "cbc:EndpointID", BuyerCii + "ram:URIUniversalCommunication/ram:URIID"),
        ["BT-49-1"] = (BuyerUbl + "cbc:EndpointID/@schemeID", BuyerCii + "ram:URIUniversalCommunication/ram:URIID/@schemeID"),
        ["BG-8"] = (BuyerUbl + "cac:PostalAddress", BuyerCii + "ram:PostalTradeAddress"),
        ["BT-50"] = (BuyerUbl + "cac:PostalAddress/cbc:StreetName", BuyerCii + "ram:PostalTradeAddress/ram:LineOne"),
        ["BT-52"] = (BuyerUbl + "cac:PostalAddress/cbc:CityName", BuyerCii + "ram:PostalTradeAddress/ram:CityName"),
        ["BT-53"] = (BuyerUbl + "cac:PostalAddress/cbc:PostalZone", BuyerCii + "ram:PostalTradeAddress/ram:PostcodeCode"),
        ["BT-55"] = (BuyerUbl + "cac:PostalAddress/cac:Country/cbc:IdentificationCode", BuyerCii + "ram:PostalTradeAddress/ram:CountryID"),
        ["BT-58"] = (BuyerUbl + "cac:Contact/cbc:ElectronicMail", BuyerCii + "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
        ["BG-11"] = ("cac:TaxRepresentativeParty", Agreement + "ram:SellerTaxRepresentativeTradeParty"),
        ["BT-63"] = ("cac:TaxRepresentativeParty/cac:PartyTaxScheme/cbc:CompanyID", Agreement + "ram:SellerTaxRepresentativeTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
        ["BG-14"] = ("cac:InvoicePeriod", Settlement + "ram:BillingSpecifiedPeriod"),
        ["BT-73"] = ("cac:InvoicePeriod/cbc:StartDate", Settlement + "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString"),
        ["BT-74"] = ("cac:InvoicePeriod/cbc:EndDate", Settlement + "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString"),
        ["BG-16"] = ("cac:PaymentMeans", Settlement + "ram:SpecifiedTradeSettlementPaymentMeans"),
        ["BT-81"] = ("cac:PaymentMeans/cbc:PaymentMeansCode", Settlement + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"),
        ["BT-83"] = ("cac:PaymentMeans/cbc:PaymentID", Settlement + "ram:PaymentReference"),
        ["BG-17"] = ("cac:PaymentMeans/cac:PayeeFinancialAccount", Settlement + "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount"),
        ["BT-84"] = ("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", Settlement + "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID"),
        ["BT-86"] = ("cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", Settlement + "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        ["BG-18"] = ("cac:PaymentMeans/cac:CardAccount", Settlement + "ram:SpecifiedTradeSettlementPaymentMeans/ram:ApplicableTradeSettlementFinancialCard"),
        ["BG-19"] = ("cac:PaymentMeans/cac:PaymentMandate", Settlement + "ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID"),
        ["BG-20"] = ("cac:AllowanceCharge[normalize-space(cbc:ChargeIndicator)='false' or normalize-space(cbc:ChargeIndicator)='0']", Settlement + "ram:SpecifiedTradeAllowanceCharge[normalize-space(ram:ChargeIndicator/udt:Indicator)='false' or normalize-space(ram:ChargeIndicator/udt:Indicator)='0']"),
        ["BG-21"] = ("cac:AllowanceCharge[normalize-space(cbc:ChargeIndicator)='true' or normalize-space(cbc:ChargeIndicator)='1']", Settlement + "ram:SpecifiedTradeAllowanceCharge[normalize-space(ram:ChargeIndicator/udt:Indicator)='true' or normalize-space(ram:ChargeIndicator/udt:Indicator)='1']"),
        ["BG-22"] = ("cac:LegalMonetaryTotal", Totals.TrimEnd('/')),
        ["BT-106"] = ("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", Totals + "ram:LineTotalAmount"),
        ["BT-107"] = ("cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount", Totals + "ram:AllowanceTotalAmount"),
        ["BT-108"] = ("cac:LegalMonetaryTotal/cbc:ChargeTotalAmount", Totals + "ram:ChargeTotalAmount"),
        ["BT-109"] = ("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", Totals + "ram:TaxBasisTotalAmount"),
        ["BT-110"] = ("cac:TaxTotal/cbc:TaxAmount[@currencyID=/*/cbc:DocumentCurrencyCode]", Totals + "ram:TaxTotalAmount[@currencyID=/rsm:CrossIndustryInvoice/" + Settlement + "ram:InvoiceCurrencyCode]"),
        ["BT-112"] = ("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", Totals + "ram:GrandTotalAmount"),
        ["BT-113"] = ("cac:LegalMonetaryTotal/cbc:PrepaidAmount", Totals + "ram:TotalPrepaidAmount"),
        ["BT-114"] = ("cac:LegalMonetaryTotal/cbc:PayableRoundingAmount", Totals + "ram:RoundingAmount"),
        ["BT-115"] = ("cac:LegalMonetaryTotal/cbc:PayableAmount", Totals + "ram:DuePayableAmount"),
        ["BG-23"] = ("cac:TaxTotal/cac:TaxSubtotal", Settlement + "ram:ApplicableTradeTax"),
        ["BG-25"] = ("cac:InvoiceLine | cac:CreditNoteLine", "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"),
    };

    // VAT breakdown level (BG-23): relative to cac:TaxSubtotal / ram:ApplicableTradeTax.
    private static readonly Dictionary<string, (string Ubl, string Cii)> BreakdownTerms = new(StringComparer.Ordinal)
    {
        ["BT-116"] = ("cbc:TaxableAmount", "ram:BasisAmount"),
        ["BT-117"] = ("cbc:TaxAmount", "ram:CalculatedAmount"),
        ["BT-118"] = ("cac:TaxCategory/cbc:ID", "ram:CategoryCode"),
        ["BT-119"] = ("cac:TaxCategory/cbc:Percent", "ram:RateApplicablePercent"),
        ["BT-120"] = ("cac:TaxCategory/cbc:TaxExemptionReason", "ram:ExemptionReason"),
        ["BT-121"] = ("cac:TaxCategory/cbc:TaxExemptionReasonCode", "ram:ExemptionReasonCode"),
    };

    // Line level (BG-25): relative to cac:InvoiceLine / ram:IncludedSupplyChainTradeLineItem.
    private static readonly Dictionary<string, (string Ubl, string Cii)> LineTerms = new(StringComparer.Ordinal)
    {
        ["BT-126"] = ("cbc:ID", "ram:AssociatedDocumentLineDocument/ram:LineID"),
        ["BT-129"] = ("cbc:InvoicedQuantity | cbc:CreditedQuantity", "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
        ["BT-130"] = ("cbc:InvoicedQuantity/@unitCode | cbc:CreditedQuantity/@unitCode", "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode"),
        ["BT-131"] = ("cbc:LineExtensionAmount", "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"),
        ["BG-26"] = ("cac:InvoicePeriod", "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod"),
        ["BT-134"] = ("cac:InvoicePeriod/cbc:StartDate", "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString"),
        ["BT-135"] = ("cac:InvoicePeriod/cbc:EndDate", "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString"),
        ["BG-27"] = ("cac:AllowanceCharge[normalize-space(cbc:ChargeIndicator)='false' or normalize-space(cbc:ChargeIndicator)='0']", "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge[normalize-space(ram:ChargeIndicator/udt:Indicator)='false' or normalize-space(ram:ChargeIndicator/udt:Indicator)='0']"),
        ["BG-28"] = ("cac:AllowanceCharge[normalize-space(cbc:ChargeIndicator)='true' or normalize-space(cbc:ChargeIndicator)='1']", "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge[normalize-space(ram:ChargeIndicator/udt:Indicator)='true' or normalize-space(ram:ChargeIndicator/udt:Indicator)='1']"),
        ["BT-146"] = ("cac:Price/cbc:PriceAmount", "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
        ["BT-148"] = ("cac:Price/cac:AllowanceCharge/cbc:BaseAmount", "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:ChargeAmount"),
        ["BT-149"] = ("cac:Price/cbc:BaseQuantity", "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity"),
        ["BT-151"] = ("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"),
        ["BT-152"] = ("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent"),
        ["BT-153"] = ("cac:Item/cbc:Name", "ram:SpecifiedTradeProduct/ram:Name"),
    };

    // Document level allowances and charges (BG-20, BG-21): relative to the allowance/charge element.
    private static readonly Dictionary<string, (string Ubl, string Cii)> DocumentAllowanceChargeTerms = new(StringComparer.Ordinal)
    {
        ["amount"] = ("cbc:Amount", "ram:ActualAmount"),
        ["category"] = ("cac:TaxCategory/cbc:ID", "ram:CategoryTradeTax/ram:CategoryCode"),
        ["rate"] = ("cac:TaxCategory/cbc:Percent", "ram:CategoryTradeTax/ram:RateApplicablePercent"),
    };

    // Line allowance level (BG-27): relative to the allowance element.
    private static readonly Dictionary<string, (string Ubl, string Cii)> AllowanceTerms = new(StringComparer.Ordinal)
    {
        ["BT-136"] = ("cbc:Amount", "ram:ActualAmount"),
        ["BT-137"] = ("cbc:BaseAmount", "ram:BasisAmount"),
        ["BT-138"] = ("cbc:MultiplierFactorNumeric", "ram:CalculationPercent"),
        ["BT-139"] = ("cbc:AllowanceChargeReason", "ram:Reason"),
        ["BT-140"] = ("cbc:AllowanceChargeReasonCode", "ram:ReasonCode"),
    };

    private EInvoiceView(XDocument xml, string format, Syntax syntax)
    {
        Xml = xml;
        Format = format;
        Syntax = syntax;
        Root = new Node(this, xml.Root!, DocumentTerms);
    }

    public XDocument Xml { get; }

    /// <summary>"ubl", "xrechnung-ubl", "xrechnung-cii" or "cii".</summary>
    public string Format { get; }

    public Syntax Syntax { get; }

    public Node Root { get; }

    public bool IsXRechnung => Format.StartsWith("xrechnung-", StringComparison.Ordinal);

    public string? Value(string term) => Root.Value(term);

    public IReadOnlyList<string> Values(string term) => Root.Values(term);

    public bool Has(string term) => Root.Has(term);

    public decimal? Amount(string term) => Root.Amount(term);

    public IReadOnlyList<Node> Lines => Root.Group("BG-25", LineTerms);

    public IReadOnlyList<Node> Breakdown => Root.Group("BG-23", BreakdownTerms);

    public static IReadOnlyList<Node> LineAllowances(Node line) => line.Group("BG-27", AllowanceTerms);

    /// <summary>Document level allowances (BG-20: BT-92 "amount", BT-95 "category", BT-96 "rate").</summary>
    public IReadOnlyList<Node> DocumentAllowances => Root.Group("BG-20", DocumentAllowanceChargeTerms);

    /// <summary>Document level charges (BG-21: BT-99 "amount", BT-102 "category", BT-103 "rate").</summary>
    public IReadOnlyList<Node> DocumentCharges => Root.Group("BG-21", DocumentAllowanceChargeTerms);

    /// <summary>The categories (BT-151) of all lines.</summary>
    public IReadOnlyList<string> LineCategories => Lines.Select(l => l.Value("BT-151") ?? string.Empty).ToArray();

    /// <summary>Parses the bytes with a reader that refuses DTDs, as a receiver would.</summary>
    public static EInvoiceView Parse(byte[] content, string format)
    {
        using var stream = new MemoryStream(content);
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        var xml = XDocument.Load(reader, LoadOptions.None);
        var syntax = xml.Root!.Name.NamespaceName == "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" ? Syntax.Cii : Syntax.Ubl;
        return new EInvoiceView(xml, format, syntax);
    }

    /// <summary>Parses a date in the syntax's format (UBL ISO 8601, CII format 102).</summary>
    public DateOnly? Date(string? text) => text is null
        ? null
        : DateOnly.ParseExact(text, Syntax == Syntax.Ubl ? "yyyy-MM-dd" : "yyyyMMdd", CultureInfo.InvariantCulture);

    private static XmlNamespaceManager CreateNamespaces()
    {
        var ns = new XmlNamespaceManager(new NameTable());
        ns.AddNamespace("cac", "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2");
        ns.AddNamespace("cbc", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2");
        ns.AddNamespace("rsm", "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100");
        ns.AddNamespace("ram", "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100");
        ns.AddNamespace("qdt", "urn:un:unece:uncefact:data:standard:QualifiedDataType:100");
        ns.AddNamespace("udt", "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100");
        return ns;
    }

    /// <summary>An element of the document (the root, a line, a breakdown group, an allowance) read through its terms.</summary>
    internal sealed class Node(EInvoiceView view, XElement element, Dictionary<string, (string Ubl, string Cii)> terms)
    {
        public XElement Element { get; } = element;

        public IReadOnlyList<string> Values(string term) => Select(Path(term)).Select(o => o switch
        {
            XElement e => e.Value,
            XAttribute a => a.Value,
            _ => o.ToString() ?? string.Empty,
        }).ToArray();

        public string? Value(string term) => Values(term) is [var first, ..] ? first : null;

        public bool Has(string term) => Select(Path(term)).Length > 0;

        public decimal? Amount(string term) => Value(term) is { } text ? decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : null;

        public DateOnly? Date(string term) => view.Date(Value(term));

        public IReadOnlyList<Node> Group(string group, Dictionary<string, (string Ubl, string Cii)> childTerms) =>
            Select(Path(group)).OfType<XElement>().Select(e => new Node(view, e, childTerms)).ToArray();

        private string Path(string term) => terms.TryGetValue(term, out var paths)
            ? view.Syntax == Syntax.Ubl ? paths.Ubl : paths.Cii
            : throw new ArgumentOutOfRangeException(nameof(term), term, "no binding for this term at this level");

        private object[] Select(string xpath) => ((IEnumerable<object>)Element.XPathEvaluate(xpath, Namespaces)).ToArray();
    }
}
