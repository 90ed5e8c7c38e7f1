using System.Text.Json;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Domain.Invoicing;

/// <summary>EN 16931 BT-3 invoice type: an invoice (380) or a credit note (381).</summary>
public enum DocumentType
{
    Invoice,
    CreditNote,
}

/// <summary>Invoice status: draft (editable) → finalised (numbered, snapshotted, immutable).</summary>
public enum InvoiceStatus
{
    Draft,
    Finalised,
}

/// <summary>One VAT breakdown group (EN 16931 BG-23): category and rate, taxable amount (BT-116) and tax (BT-117), in minor units.</summary>
public sealed record VatBreakdownEntry(VatCategory Category, VatRate Rate, long TaxableMinor, long TaxMinor, string? ExemptionReasonCode, string? ExemptionReason);

/// <summary>Raised for any change to a finalised invoice (HTTP 409). Finalised invoices are immutable.</summary>
public sealed class InvoiceImmutableException(string invoiceId)
    : DomainConflictException($"Invoice {invoiceId} is finalised and can no longer be changed.", "finalised", []);

/// <summary>
/// An invoice or credit note of a seller (partner) to a buyer (tenant). Money in minor units of <see cref="Currency"/>.
/// Draft lines can be added; <see cref="Finalise"/> applies the VAT decision, snapshots buyer and seller, takes the
/// number and makes the document immutable (checked here and again by the persistence layer on save).
/// Rounding: each line net (BT-131) is a whole minor unit; VAT per breakdown group is rounded half away from zero
/// (EN 16931 BR-CO-17), see <see cref="Rounding"/>.
/// </summary>
public sealed class Invoice : AggregateRoot, ITenantOwned
{
    private readonly List<InvoiceLine> _lines = [];

    private Invoice() { }

    /// <summary>Starts a draft invoice of seller <paramref name="partnerId"/> to tenant <paramref name="tenantId"/>.</summary>
    public Invoice(string partnerId, string tenantId, string currency, string? billingRunId, DateTimeOffset now)
    {
        Id = Ids.New("inv");
        PartnerId = partnerId;
        TenantId = tenantId;
        Currency = Currencies.Require(currency);
        DocumentType = DocumentType.Invoice;
        Status = InvoiceStatus.Draft;
        BillingRunId = billingRunId;
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;

    /// <summary>The seller partner.</summary>
    public string PartnerId { get; private set; } = default!;

    /// <summary>The buyer tenant.</summary>
    public string TenantId { get; private set; } = default!;
    public DocumentType DocumentType { get; private set; }
    public InvoiceStatus Status { get; private set; }

    /// <summary>BT-1, PREFIX-YYYY-NNNNNN; null while draft.</summary>
    public string? Number { get; private set; }

    /// <summary>BT-5 ISO 4217.</summary>
    public string Currency { get; private set; } = default!;

    /// <summary>BT-2, set at finalisation.</summary>
    public DateOnly? IssueDate { get; private set; }

    /// <summary>BT-9, set at finalisation.</summary>
    public DateOnly? DueDate { get; private set; }
    public string? BillingRunId { get; private set; }

    /// <summary>BT-106 sum of line net amounts, minor units.</summary>
    public long NetTotalMinor { get; private set; }

    /// <summary>BT-110 total VAT, minor units.</summary>
    public long VatTotalMinor { get; private set; }

    /// <summary>BT-112 total with VAT, minor units.</summary>
    public long GrossTotalMinor { get; private set; }

    /// <summary>The VAT rule applied at finalisation (snapshot of the VAT details).</summary>
    public VatRule? VatRule { get; private set; }

    /// <summary>Legal notes printed on the invoice (BT-22), one per line, e.g. the reverse-charge mention.</summary>
    public string Notes { get; private set; } = string.Empty;
    public string? BuyerSnapshotJson { get; private set; }
    public string? SellerSnapshotJson { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? FinalisedAt { get; private set; }

    /// <summary>The lines, in position order.</summary>
    public IReadOnlyList<InvoiceLine> Lines => _lines;

    /// <summary>The notes as a list.</summary>
    public IReadOnlyList<string> NoteList => Notes.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The frozen buyer, once finalised.</summary>
    public PartySnapshot? Buyer => BuyerSnapshotJson is null ? null : JsonSerializer.Deserialize<PartySnapshot>(BuyerSnapshotJson);

    /// <summary>The frozen seller, once finalised.</summary>
    public PartySnapshot? Seller => SellerSnapshotJson is null ? null : JsonSerializer.Deserialize<PartySnapshot>(SellerSnapshotJson);

    /// <summary>Net, VAT and gross totals as money.</summary>
    public (Money Net, Money Vat, Money Gross) Totals => (new(NetTotalMinor, Currency), new(VatTotalMinor, Currency), new(GrossTotalMinor, Currency));

    /// <summary>Adds a line of <paramref name="quantity"/> × <paramref name="unitPrice"/> (draft only).</summary>
    /// <exception cref="InvoiceImmutableException">The invoice is finalised.</exception>
    /// <exception cref="DomainValidationException">Quantity not positive, or another currency.</exception>
    public InvoiceLine AddLine(string description, long quantity, Money unitPrice, VatDecision vat, string? subscriptionId = null, DateTimeOffset? periodStart = null, DateTimeOffset? periodEnd = null)
    {
        EnsureDraft();
        if (quantity <= 0)
        {
            throw new DomainValidationException("quantity", "quantity must be positive.");
        }

        if (unitPrice.Currency != Currency)
        {
            throw new DomainValidationException("currency", $"A {unitPrice.Currency} line cannot go on a {Currency} invoice.");
        }

        var line = new InvoiceLine(this, _lines.Count + 1, Guard.Text(description, "description", 500), quantity, unitPrice.MinorUnits, vat, subscriptionId, periodStart, periodEnd);
        _lines.Add(line);
        Recalculate();
        return line;
    }

    /// <summary>The VAT breakdown (BG-23), one entry per (category, rate), in category then rate order.</summary>
    public IReadOnlyList<VatBreakdownEntry> VatBreakdown() => _lines
        .GroupBy(l => (l.VatCategory, l.VatRateBasisPoints))
        .OrderBy(g => g.Key.VatCategory).ThenByDescending(g => g.Key.VatRateBasisPoints)
        .Select(g =>
        {
            var rate = new VatRate(g.Key.VatRateBasisPoints);
            var taxable = new Money(g.Sum(l => l.NetAmountMinor), Currency);
            var first = g.First();
            return new VatBreakdownEntry(g.Key.VatCategory, rate, taxable.MinorUnits, rate.TaxOn(taxable).MinorUnits, first.ExemptionReasonCode, first.ExemptionReason);
        })
        .ToArray();

    /// <summary>
    /// Finalises: applies <paramref name="vat"/> to every line, freezes buyer and seller, records the VAT rule and
    /// legal notes, and takes <paramref name="number"/> and <paramref name="issueDate"/>. Due 14 days after issue.
    /// </summary>
    /// <exception cref="InvoiceImmutableException">Already finalised.</exception>
    /// <exception cref="DomainConflictException">No lines.</exception>
    public void Finalise(string number, DateOnly issueDate, PartySnapshot buyer, PartySnapshot seller, VatDecision vat, DateTimeOffset now)
    {
        EnsureDraft();
        if (_lines.Count == 0)
        {
            throw new DomainConflictException($"Invoice {Id} has no lines and cannot be finalised.", "draft", ["add_line"]);
        }

        var checkedNumber = InvoiceNumbers.Require(number);
        foreach (var line in _lines)
        {
            line.ApplyVat(vat);
        }

        Recalculate();
        Number = checkedNumber;
        IssueDate = issueDate;
        DueDate = issueDate.AddDays(14);
        BuyerSnapshotJson = JsonSerializer.Serialize(buyer);
        SellerSnapshotJson = JsonSerializer.Serialize(seller);
        VatRule = vat.Rule;
        Notes = vat.LegalNote ?? string.Empty;
        Status = InvoiceStatus.Finalised;
        FinalisedAt = now;
    }

    private void EnsureDraft()
    {
        if (Status == InvoiceStatus.Finalised)
        {
            throw new InvoiceImmutableException(Id);
        }
    }

    private void Recalculate()
    {
        NetTotalMinor = _lines.Sum(l => l.NetAmountMinor);
        VatTotalMinor = VatBreakdown().Sum(b => b.TaxMinor);
        GrossTotalMinor = NetTotalMinor + VatTotalMinor;
    }
}

/// <summary>An invoice line (EN 16931 BG-25): quantity (BT-129) × unit price (BT-146) = net (BT-131), with its VAT category (BT-151) and rate (BT-152).</summary>
public sealed class InvoiceLine : ITenantOwned
{
    private InvoiceLine() { }

    internal InvoiceLine(Invoice invoice, int position, string description, long quantity, long unitPriceMinor, VatDecision vat, string? subscriptionId, DateTimeOffset? periodStart, DateTimeOffset? periodEnd)
    {
        Id = Ids.New("iln");
        InvoiceId = invoice.Id;
        PartnerId = invoice.PartnerId;
        TenantId = invoice.TenantId;
        Position = position;
        Description = description;
        Quantity = quantity;
        UnitPriceMinor = unitPriceMinor;
        NetAmountMinor = checked(quantity * unitPriceMinor);
        SubscriptionId = subscriptionId;
        BillingKey = subscriptionId is null || periodStart is null ? null : $"{subscriptionId}@{periodStart.Value.UtcTicks}";
        PeriodStart = periodStart;
        PeriodEnd = periodEnd;
        ApplyVat(vat);
    }

    public string Id { get; private set; } = default!;
    public string InvoiceId { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public int Position { get; private set; }

    /// <summary>BT-153 item name.</summary>
    public string Description { get; private set; } = default!;

    /// <summary>BT-129 invoiced quantity (whole units).</summary>
    public long Quantity { get; private set; }

    /// <summary>BT-146 net price, minor units.</summary>
    public long UnitPriceMinor { get; private set; }

    /// <summary>BT-131 line net amount, minor units.</summary>
    public long NetAmountMinor { get; private set; }

    /// <summary>BT-151.</summary>
    public VatCategory VatCategory { get; private set; }

    /// <summary>BT-152 in basis points.</summary>
    public int VatRateBasisPoints { get; private set; }

    /// <summary>BT-121 VATEX code for 0 % categories.</summary>
    public string? ExemptionReasonCode { get; private set; }

    /// <summary>BT-120 exemption reason text.</summary>
    public string? ExemptionReason { get; private set; }
    public string? SubscriptionId { get; private set; }

    /// <summary>"subscription@period-start" for a subscription charge; unique in the database, so no period is invoiced twice.</summary>
    public string? BillingKey { get; private set; }

    /// <summary>BT-134 invoicing period start (UTC).</summary>
    public DateTimeOffset? PeriodStart { get; private set; }

    /// <summary>BT-135 invoicing period end (exclusive, UTC).</summary>
    public DateTimeOffset? PeriodEnd { get; private set; }

    internal void ApplyVat(VatDecision vat)
    {
        VatCategory = vat.Category;
        VatRateBasisPoints = vat.Rate.BasisPoints;
        ExemptionReasonCode = vat.ExemptionReasonCode;
        ExemptionReason = vat.ExemptionReasonCode is null ? null : vat.LegalNote;
    }
}
