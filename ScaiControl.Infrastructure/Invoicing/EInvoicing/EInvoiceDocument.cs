using System.Globalization;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Infrastructure.Invoicing.EInvoicing;

/// <summary>EN 16931 BT-3 invoice type code (UNTDID 1001): commercial invoice 380 or credit note 381.</summary>
public enum EInvoiceTypeCode
{
    /// <summary>380 Commercial invoice (UBL root Invoice).</summary>
    CommercialInvoice = 380,

    /// <summary>381 Credit note (UBL root CreditNote).</summary>
    CreditNote = 381,
}

/// <summary>A postal address (BG-5 seller / BG-8 buyer).</summary>
/// <param name="Line1">BT-35 / BT-50.</param>
/// <param name="Line2">BT-36 / BT-51, optional.</param>
/// <param name="City">BT-37 / BT-52.</param>
/// <param name="PostalCode">BT-38 / BT-53.</param>
/// <param name="CountryCode">BT-40 / BT-55, ISO 3166-1 alpha-2.</param>
public sealed record EInvoiceAddress(string Line1, string? Line2, string City, string PostalCode, string CountryCode);

/// <summary>An identifier with an optional ISO 6523 ICD scheme, e.g. a Dutch KvK number with scheme "0106" (BT-30 / BT-47).</summary>
public sealed record EInvoiceIdentifier(string Value, string? SchemeId);

/// <summary>A contact (BG-6 seller contact: BT-41 name, BT-42 telephone, BT-43 e-mail; BG-9 buyer contact: BT-56, BT-57, BT-58).</summary>
public sealed record EInvoiceContact(string? Name, string? Telephone, string? Email);

/// <summary>The seller (BG-4) or the buyer (BG-7).</summary>
/// <param name="Name">BT-27 / BT-44 legal name.</param>
/// <param name="Address">BG-5 / BG-8.</param>
/// <param name="VatId">BT-31 / BT-48 VAT identifier with its country prefix, or null.</param>
/// <param name="LegalRegistrationId">BT-30 / BT-47 legal registration identifier (e.g. chamber of commerce number), or null.</param>
/// <param name="ElectronicAddress">BT-34 / BT-49 electronic address (an e-mail address here).</param>
/// <param name="ElectronicAddressScheme">Scheme of the electronic address (CEF EAS code list; "EM" = e-mail).</param>
/// <param name="Contact">BG-6 / BG-9, or null.</param>
/// <param name="PeppolEndpoint">BT-34 / BT-49 as Peppol BIS writes it: an identifier under a Peppol EAS code
/// (<see cref="PeppolIdentifiers.EndpointOf"/>), or null when the party has no VAT id or registration number.</param>
public sealed record EInvoiceParty(
    string Name,
    EInvoiceAddress Address,
    string? VatId,
    EInvoiceIdentifier? LegalRegistrationId,
    string ElectronicAddress,
    string ElectronicAddressScheme,
    EInvoiceContact? Contact,
    EInvoiceIdentifier? PeppolEndpoint = null);

/// <summary>Payment instructions (BG-16) with a credit transfer account (BG-17).</summary>
/// <param name="MeansCode">BT-81, UNTDID 4461 ("58" = SEPA credit transfer).</param>
/// <param name="RemittanceInformation">BT-83, the reference the payer quotes (our document number).</param>
/// <param name="Iban">BT-84 payment account identifier.</param>
/// <param name="Bic">BT-86 payment service provider identifier, optional.</param>
public sealed record EInvoicePaymentInstructions(string MeansCode, string? RemittanceInformation, string? Iban, string? Bic)
{
    /// <summary>UNTDID 4461 code 58: SEPA credit transfer.</summary>
    public const string SepaCreditTransfer = "58";
}

/// <summary>A period with inclusive dates: invoicing period BG-14 (BT-73, BT-74) or line period BG-26 (BT-134, BT-135).</summary>
public sealed record EInvoicePeriod(DateOnly Start, DateOnly End);

/// <summary>A line allowance (BG-27): amount BT-136 (minor units, positive), reason BT-139 and reason code BT-140 (UNTDID 5189, e.g. "95" discount).</summary>
public sealed record EInvoiceAllowance(long AmountMinor, string Reason, string? ReasonCode);

/// <summary>The VAT exemption of a breakdown group: reason text BT-120 and VATEX code BT-121.</summary>
public sealed record EInvoiceVatExemption(string? ReasonCode, string? Reason);

/// <summary>
/// An invoice line (BG-25). The line net amount BT-131 is <see cref="Quantity"/> × <see cref="NetPriceMinor"/> minus
/// the allowances (BG-27), in minor units. <see cref="Exemption"/> is not a line term of EN 16931: it carries BT-120/121
/// to the VAT breakdown group (BG-23) the line falls into.
/// </summary>
/// <param name="Id">BT-126 line identifier.</param>
/// <param name="Quantity">BT-129 invoiced quantity (whole units).</param>
/// <param name="UnitCode">BT-130 unit of measure (UN/ECE Rec. 20; "C62" = one).</param>
/// <param name="NetPriceMinor">BT-146 item net price, minor units.</param>
/// <param name="ItemName">BT-153.</param>
/// <param name="VatCategory">BT-151.</param>
/// <param name="VatRate">BT-152 (not written for category O, BR-O-05).</param>
/// <param name="Period">BG-26, or null.</param>
/// <param name="Allowances">BG-27 line allowances.</param>
/// <param name="Exemption">BT-120/BT-121 of the line's breakdown group, or null.</param>
public sealed record EInvoiceLine(
    string Id,
    long Quantity,
    string UnitCode,
    long NetPriceMinor,
    string ItemName,
    VatCategory VatCategory,
    VatRate VatRate,
    EInvoicePeriod? Period,
    IReadOnlyList<EInvoiceAllowance> Allowances,
    EInvoiceVatExemption? Exemption)
{
    /// <summary>UN/ECE Recommendation 20 code "C62" (one, unit).</summary>
    public const string UnitOne = "C62";

    /// <summary>BT-131 line net amount: quantity × net price − allowances, minor units.</summary>
    public long NetAmountMinor => checked((Quantity * NetPriceMinor) - Allowances.Sum(a => a.AmountMinor));
}

/// <summary>A VAT breakdown group (BG-23).</summary>
/// <param name="Category">BT-118.</param>
/// <param name="Rate">BT-119.</param>
/// <param name="TaxableAmountMinor">BT-116.</param>
/// <param name="TaxAmountMinor">BT-117 = BT-116 × BT-119 / 100 rounded half away from zero (BR-CO-17).</param>
/// <param name="Exemption">BT-120 / BT-121, or null.</param>
public sealed record EInvoiceVatBreakdown(VatCategory Category, VatRate Rate, long TaxableAmountMinor, long TaxAmountMinor, EInvoiceVatExemption? Exemption);

/// <summary>Document totals (BG-22), minor units. There are no document-level allowances, charges or prepayments yet.</summary>
/// <param name="LineNetTotalMinor">BT-106 sum of line net amounts.</param>
/// <param name="TaxExclusiveMinor">BT-109 total without VAT (= BT-106 − BT-107 + BT-108).</param>
/// <param name="VatTotalMinor">BT-110 total VAT (= Σ BT-117).</param>
/// <param name="TaxInclusiveMinor">BT-112 total with VAT (= BT-109 + BT-110).</param>
/// <param name="AmountDueMinor">BT-115 amount due (= BT-112 − BT-113 + BT-114).</param>
public sealed record EInvoiceTotals(long LineNetTotalMinor, long TaxExclusiveMinor, long VatTotalMinor, long TaxInclusiveMinor, long AmountDueMinor);

/// <summary>The invoice a credit note corrects (BG-3): number BT-25 and issue date BT-26.</summary>
public sealed record EInvoicePrecedingInvoice(string Number, DateOnly? IssueDate);

/// <summary>
/// The data an e-invoice is written from: a projection of a finalised <see cref="Invoice"/> (see <see cref="From"/>)
/// in EN 16931 business terms, syntax-neutral, so UBL and CII writers read the same values. Money is integer minor
/// units of <see cref="Currency"/>; the VAT breakdown (BG-23) and totals (BG-22) are computed here from the lines, with
/// the domain's rounding (<see cref="VatRate.TaxOn"/>: per group, half away from zero, BR-CO-17).
/// </summary>
public sealed record EInvoiceDocument
{
    /// <summary>BT-1 document number.</summary>
    public required string Number { get; init; }

    /// <summary>BT-2.</summary>
    public required DateOnly IssueDate { get; init; }

    /// <summary>BT-3.</summary>
    public required EInvoiceTypeCode TypeCode { get; init; }

    /// <summary>BT-5, ISO 4217.</summary>
    public required string Currency { get; init; }

    /// <summary>BT-9 payment due date, or null.</summary>
    public DateOnly? DueDate { get; init; }

    /// <summary>BT-10 buyer reference, or null.</summary>
    public string? BuyerReference { get; init; }

    /// <summary>
    /// The buyer's customer number at the seller (the tenant id). Peppol BIS needs BT-10 or an order reference
    /// (PEPPOL-EN16931-R003): without a buyer reference, the Peppol UBL quotes this as BT-10 (docs/invoicing.md).
    /// XRechnung does not: it needs a real Leitweg-ID (BR-DE-15).
    /// </summary>
    public string? CustomerNumber { get; init; }

    /// <summary>BT-22 notes.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>BG-3, for credit notes.</summary>
    public EInvoicePrecedingInvoice? PrecedingInvoice { get; init; }

    /// <summary>BG-4.</summary>
    public required EInvoiceParty Seller { get; init; }

    /// <summary>BG-7.</summary>
    public required EInvoiceParty Buyer { get; init; }

    /// <summary>BG-16 / BG-17, or null.</summary>
    public EInvoicePaymentInstructions? Payment { get; init; }

    /// <summary>BG-14, or null.</summary>
    public EInvoicePeriod? InvoicingPeriod { get; init; }

    /// <summary>BG-25, at least one (BR-16).</summary>
    public required IReadOnlyList<EInvoiceLine> Lines { get; init; }

    /// <summary>BG-23, one group per (category, rate), in category then descending rate order, as the domain orders them.</summary>
    public IReadOnlyList<EInvoiceVatBreakdown> VatBreakdown => Lines
        .GroupBy(l => (l.VatCategory, l.VatRate.BasisPoints))
        .OrderBy(g => g.Key.VatCategory).ThenByDescending(g => g.Key.BasisPoints)
        .Select(g =>
        {
            var rate = new VatRate(g.Key.BasisPoints);
            var taxable = g.Sum(l => l.NetAmountMinor);
            return new EInvoiceVatBreakdown(g.Key.VatCategory, rate, taxable, rate.TaxOn(new Money(taxable, Currency)).MinorUnits, g.Select(l => l.Exemption).FirstOrDefault(e => e is not null));
        })
        .ToArray();

    /// <summary>BG-22, computed from <see cref="Lines"/> and <see cref="VatBreakdown"/>.</summary>
    public EInvoiceTotals Totals
    {
        get
        {
            var net = Lines.Sum(l => l.NetAmountMinor);
            var vat = VatBreakdown.Sum(b => b.TaxAmountMinor);
            return new EInvoiceTotals(net, net, vat, net + vat, net + vat);
        }
    }

    /// <summary>
    /// Projects a finalised invoice or credit note. Seller and buyer come from the snapshots frozen at finalisation,
    /// payment instructions are a SEPA credit transfer (58) to the seller's IBAN/BIC with the document number as
    /// remittance information, the invoicing period (BG-14) is set when every line has the same period, and line
    /// periods (stored with an exclusive end instant, UTC) become inclusive dates.
    /// </summary>
    /// <exception cref="InvalidOperationException">The invoice is a draft; a snapshot is missing; a credit note has no
    /// preceding invoice in <paramref name="context"/>; or the computed totals disagree with the invoice's.</exception>
    public static EInvoiceDocument From(Invoice invoice, EInvoiceContext context)
    {
        if (invoice.Status != InvoiceStatus.Finalised || invoice.Number is null || invoice.IssueDate is null)
        {
            throw new InvalidOperationException($"Invoice {invoice.Id} is a draft: only finalised invoices and credit notes can be exported as e-invoices.");
        }

        var seller = invoice.Seller ?? throw new InvalidOperationException($"Invoice {invoice.Id} has no seller snapshot.");
        var buyer = invoice.Buyer ?? throw new InvalidOperationException($"Invoice {invoice.Id} has no buyer snapshot.");
        var typeCode = invoice.DocumentType switch
        {
            DocumentType.Invoice => EInvoiceTypeCode.CommercialInvoice,
            DocumentType.CreditNote => EInvoiceTypeCode.CreditNote,
        };

        EInvoicePrecedingInvoice? preceding = context.PrecedingInvoiceNumber is { Length: > 0 } precedingNumber
            ? new EInvoicePrecedingInvoice(precedingNumber, context.PrecedingInvoiceIssueDate)
            : null;
        if (typeCode == EInvoiceTypeCode.CreditNote && preceding is null)
        {
            throw new InvalidOperationException($"Credit note {invoice.Number} needs the number of the invoice it corrects (BT-25): set EInvoiceContext.PrecedingInvoiceNumber.");
        }

        var lines = invoice.Lines
            .OrderBy(l => l.Position)
            .Select(l => new EInvoiceLine(
                l.Position.ToString(CultureInfo.InvariantCulture),
                l.Quantity,
                EInvoiceLine.UnitOne,
                l.UnitPriceMinor,
                l.Description,
                l.VatCategory,
                new VatRate(l.VatRateBasisPoints),
                PeriodOf(l.PeriodStart, l.PeriodEnd),
                [],
                l.ExemptionReasonCode is null && l.ExemptionReason is null ? null : new EInvoiceVatExemption(l.ExemptionReasonCode, l.ExemptionReason)))
            .ToArray();
        var periods = lines.Select(l => l.Period).Distinct().ToArray();

        var document = new EInvoiceDocument
        {
            Number = invoice.Number,
            IssueDate = invoice.IssueDate.Value,
            TypeCode = typeCode,
            Currency = invoice.Currency,
            DueDate = invoice.DueDate,
            BuyerReference = string.IsNullOrWhiteSpace(context.BuyerReference) ? null : context.BuyerReference.Trim(),
            CustomerNumber = invoice.TenantId,
            Notes = invoice.NoteList,
            PrecedingInvoice = preceding,
            Seller = PartyOf(seller, context.SellerLegalRegistrationId, new EInvoiceContact(context.SellerContactName ?? seller.LegalName, context.SellerContactPhone, seller.Email)),
            Buyer = PartyOf(buyer, context.BuyerLegalRegistrationId ?? PeppolIdentifiers.RegistrationOf(buyer), new EInvoiceContact(null, null, buyer.Email)),
            Payment = string.IsNullOrWhiteSpace(seller.Iban)
                ? null
                : new EInvoicePaymentInstructions(EInvoicePaymentInstructions.SepaCreditTransfer, invoice.Number, seller.Iban, seller.Bic),
            InvoicingPeriod = periods is [{ } only] ? only : null,
            Lines = lines,
        };

        var totals = document.Totals;
        if (totals.LineNetTotalMinor != invoice.NetTotalMinor || totals.VatTotalMinor != invoice.VatTotalMinor || totals.TaxInclusiveMinor != invoice.GrossTotalMinor)
        {
            throw new InvalidOperationException(
                $"Invoice {invoice.Number}: e-invoice totals ({totals.LineNetTotalMinor}/{totals.VatTotalMinor}/{totals.TaxInclusiveMinor}) " +
                $"disagree with the invoice ({invoice.NetTotalMinor}/{invoice.VatTotalMinor}/{invoice.GrossTotalMinor}).");
        }

        return document;
    }

    private static EInvoiceParty PartyOf(PartySnapshot party, EInvoiceIdentifier? legalRegistrationId, EInvoiceContact contact) => new(
        party.LegalName,
        new EInvoiceAddress(party.Address.Line1, party.Address.Line2, party.Address.City, party.Address.PostalCode, party.Address.Country),
        string.IsNullOrWhiteSpace(party.VatId) ? null : party.VatId,
        legalRegistrationId,
        party.Email,
        "EM",
        contact,
        PeppolIdentifiers.EndpointOf(party.Address.Country, party.VatId, legalRegistrationId?.Value, legalRegistrationId?.SchemeId));

    // Stored periods end exclusively (the next period's start instant); EN 16931 end dates are the last day included.
    private static EInvoicePeriod? PeriodOf(DateTimeOffset? start, DateTimeOffset? end)
    {
        if (start is null || end is null)
        {
            return null;
        }

        var (first, last) = DocumentPeriods.InclusiveDates(start.Value, end.Value);
        return new EInvoicePeriod(first, last);
    }
}
