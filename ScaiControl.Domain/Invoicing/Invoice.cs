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

/// <summary>One line of a credit-note request: credit <paramref name="Quantity"/> units, or <paramref name="Amount"/> minor units, of an invoice line.</summary>
public sealed record CreditRequest(string InvoiceLineId, long? Quantity, long? Amount);

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

    /// <summary>For a credit note: the corrected invoice's id (its number and date are BT-25 / BT-26).</summary>
    public string? ReferencedInvoiceId { get; private set; }

    /// <summary>BT-25 preceding invoice reference (credit notes).</summary>
    public string? ReferencedInvoiceNumber { get; private set; }

    /// <summary>BT-26 preceding invoice issue date (credit notes).</summary>
    public DateOnly? ReferencedInvoiceIssueDate { get; private set; }

    /// <summary>BT-10 buyer reference, frozen at finalisation from the buyer's billing profile.</summary>
    public string? BuyerReference { get; private set; }

    /// <summary>Why a credit note was issued (printed as a note).</summary>
    public string? CreditReason { get; private set; }

    /// <summary>The HTML rendered at finalisation: reprints use it, so a later template or profile change never alters a finalised document.</summary>
    public string? TemplateHtmlSnapshot { get; private set; }

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

    /// <summary>
    /// Drafts a credit note (EN 16931 type 381, BT-25 = the invoice's number) against a finalised invoice: per line by
    /// quantity or amount, or, with no <paramref name="requests"/>, everything still uncredited (a full credit, which
    /// is how a finalised invoice is voided). Each credit line keeps the VAT category and rate of the line it credits.
    /// <paramref name="alreadyCredited"/> maps invoice line id to minor units already on other credit notes.
    /// </summary>
    /// <exception cref="DomainConflictException">The invoice is a draft or a credit note, or a request exceeds what is left to credit.</exception>
    /// <exception cref="DomainValidationException">No reason, unknown line, or neither/both of quantity and amount.</exception>
    public static Invoice CreditNoteFor(Invoice original, IReadOnlyList<CreditRequest> requests, string? reason, IReadOnlyDictionary<string, long> alreadyCredited, DateTimeOffset now)
    {
        if (original.Status != InvoiceStatus.Finalised || original.DocumentType != DocumentType.Invoice)
        {
            throw new DomainConflictException($"Only a finalised invoice can be credited; {original.Id} is a {(original.DocumentType == DocumentType.CreditNote ? "credit note" : "draft")}.",
                original.Status == InvoiceStatus.Finalised ? "finalised" : "draft", original.Status == InvoiceStatus.Draft ? ["finalize"] : []);
        }

        var note = new Invoice(original.PartnerId, original.TenantId, original.Currency, null, now)
        {
            DocumentType = DocumentType.CreditNote,
            ReferencedInvoiceId = original.Id,
            ReferencedInvoiceNumber = original.Number,
            ReferencedInvoiceIssueDate = original.IssueDate,
            CreditReason = Guard.Text(reason, "reason", 500, multiline: true),
        };
        var credited = new Dictionary<string, long>(alreadyCredited);
        long Left(InvoiceLine line) => line.NetAmountMinor - credited.GetValueOrDefault(line.Id);

        var wanted = requests.Count > 0
            ? requests.Select((r, i) => Resolve(original, r, i)).ToList()
            : original.Lines.Where(l => Left(l) > 0).Select(l => (Line: l, Quantity: Left(l) == l.NetAmountMinor ? l.Quantity : 1, Amount: Left(l))).ToList();
        if (wanted.Count == 0)
        {
            throw new DomainConflictException($"Invoice {original.Number} has nothing left to credit.", "finalised", []);
        }

        foreach (var (line, quantity, amount) in wanted)
        {
            if (amount > Left(line))
            {
                throw new DomainConflictException(
                    $"Line {line.Position} of {original.Number} has {new Money(Left(line), original.Currency)} left to credit; {new Money(amount, original.Currency)} was requested.", "finalised", []);
            }

            credited[line.Id] = credited.GetValueOrDefault(line.Id) + amount;
            var unit = quantity == 0 ? amount : amount / quantity;
            var creditLine = new InvoiceLine(note, note._lines.Count + 1, $"Credit: {line.Description}", quantity, unit, line.VatAsDecision(original.VatRule), null, line.PeriodStart, line.PeriodEnd, line.Id);
            note._lines.Add(creditLine);
        }

        note.Recalculate();
        return note;
    }

    /// <summary>For a credit note: refuses when, together with <paramref name="creditedByOthers"/> (finalised credit notes), it would credit more than a line holds.</summary>
    /// <exception cref="DomainConflictException">Over-credit.</exception>
    public void EnsureWithinCreditLimits(Invoice original, IReadOnlyDictionary<string, long> creditedByOthers)
    {
        foreach (var group in _lines.Where(l => l.CreditedLineId is not null).GroupBy(l => l.CreditedLineId!))
        {
            var line = original.Lines.Single(l => l.Id == group.Key);
            var total = creditedByOthers.GetValueOrDefault(group.Key) + group.Sum(l => l.NetAmountMinor);
            if (total > line.NetAmountMinor)
            {
                throw new DomainConflictException($"Line {line.Position} of {original.Number} would be credited {new Money(total, Currency)} of {new Money(line.NetAmountMinor, Currency)}.", "draft", []);
            }
        }
    }

    private static (InvoiceLine Line, long Quantity, long Amount) Resolve(Invoice original, CreditRequest request, int index)
    {
        var line = original.Lines.FirstOrDefault(l => l.Id == request.InvoiceLineId)
            ?? throw new DomainValidationException($"lines[{index}].invoice_line_id", $"Invoice {original.Number} has no line '{request.InvoiceLineId}'.");
        return (request.Quantity, request.Amount) switch
        {
            ({ } q, null) when q > 0 && q <= line.Quantity => (line, q, checked(q * line.UnitPriceMinor)),
            ({ } q, null) => throw new DomainValidationException($"lines[{index}].quantity", $"quantity must be between 1 and {line.Quantity}."),
            (null, { } a) when a > 0 => (line, 1, a),
            (null, { }) => throw new DomainValidationException($"lines[{index}].amount", "amount must be positive (minor units)."),
            _ => throw new DomainValidationException($"lines[{index}]", "Give either quantity or amount."),
        };
    }

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

    /// <summary>
    /// Adds a one-off subscription amount (a pending <c>SubscriptionCharge</c>): a charge is 1 × amount, a credit is
    /// −1 × |amount| so the item net price (BT-146) stays non-negative (EN 16931 BR-27) while the line net (BT-131) is
    /// negative. <paramref name="billingKey"/> is unique across all invoice lines, so the amount is invoiced once.
    /// </summary>
    /// <exception cref="InvoiceImmutableException">The invoice is finalised.</exception>
    /// <exception cref="DomainValidationException">Zero amount, or another currency.</exception>
    public InvoiceLine AddChargeLine(string description, Money amount, VatDecision vat, string subscriptionId, DateTimeOffset periodStart, DateTimeOffset periodEnd, string billingKey)
    {
        EnsureDraft();
        if (amount.MinorUnits == 0)
        {
            throw new DomainValidationException("amount", "A charge line needs a non-zero amount.");
        }

        if (amount.Currency != Currency)
        {
            throw new DomainValidationException("currency", $"A {amount.Currency} line cannot go on a {Currency} invoice.");
        }

        var line = new InvoiceLine(this, _lines.Count + 1, Guard.Text(description, "description", 500), amount.MinorUnits < 0 ? -1 : 1, Math.Abs(amount.MinorUnits), vat,
            subscriptionId, periodStart, periodEnd, billingKey: Guard.Text(billingKey, "billing_key", 80));
        _lines.Add(line);
        Recalculate();
        return line;
    }

    /// <summary>
    /// Adds the usage line of one plan usage charge for a period that ended (issue 15, billed in arrears): 1 ×
    /// <paramref name="amount"/> (BT-129 = 1, BT-146 = BT-131), zero allowed (usage within the included units is
    /// still shown); <paramref name="description"/> carries the quantity and the tier breakdown. VAT like every line.
    /// <paramref name="billingKey"/> is unique across all invoice lines, so a period's usage is invoiced once.
    /// </summary>
    /// <exception cref="InvoiceImmutableException">The invoice is finalised.</exception>
    /// <exception cref="DomainValidationException">A negative amount, or another currency.</exception>
    public InvoiceLine AddUsageLine(string description, Money amount, VatDecision vat, string subscriptionId, DateTimeOffset periodStart, DateTimeOffset periodEnd, string billingKey)
    {
        EnsureDraft();
        if (amount.MinorUnits < 0)
        {
            throw new DomainValidationException("amount", "A usage line is never negative; a credit goes through a pending charge.");
        }

        if (amount.Currency != Currency)
        {
            throw new DomainValidationException("currency", $"A {amount.Currency} line cannot go on a {Currency} invoice.");
        }

        var line = new InvoiceLine(this, _lines.Count + 1, Guard.Text(description, "description", 500), 1, amount.MinorUnits, vat,
            subscriptionId, periodStart, periodEnd, billingKey: Guard.Text(billingKey, "billing_key", 80));
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
    /// Finalises: applies <paramref name="vat"/> to every line (an invoice), or keeps each line's VAT (a credit note,
    /// whose lines carry the VAT of the lines they credit; pass the corrected invoice's decision for its notes),
    /// freezes buyer and seller, records the VAT rule and legal notes, takes <paramref name="number"/> and
    /// <paramref name="issueDate"/> (due <paramref name="paymentTermsDays"/> days later, BT-9; the terms come from the
    /// partner's payment settings or the tenant's override, default 14) and, when <paramref name="renderHtml"/> is
    /// given, stores the rendered document as <see cref="TemplateHtmlSnapshot"/>.
    /// </summary>
    /// <exception cref="InvoiceImmutableException">Already finalised.</exception>
    /// <exception cref="DomainConflictException">No lines.</exception>
    public void Finalise(string number, DateOnly issueDate, PartySnapshot buyer, PartySnapshot seller, VatDecision vat, DateTimeOffset now, Func<Invoice, string>? renderHtml = null, string? buyerReference = null, int paymentTermsDays = 14)
    {
        EnsureDraft();
        if (_lines.Count == 0)
        {
            throw new DomainConflictException($"Invoice {Id} has no lines and cannot be finalised.", "draft", ["add_line"]);
        }

        var checkedNumber = InvoiceNumbers.Require(number);
        if (DocumentType == DocumentType.Invoice)
        {
            foreach (var line in _lines)
            {
                line.ApplyVat(vat);
            }
        }

        Recalculate();
        Number = checkedNumber;
        IssueDate = issueDate;
        DueDate = issueDate.AddDays(paymentTermsDays);
        BuyerSnapshotJson = JsonSerializer.Serialize(buyer);
        SellerSnapshotJson = JsonSerializer.Serialize(seller);
        VatRule = vat.Rule;
        Notes = string.Join('\n', new[] { CreditReason is null ? null : $"Credit note for invoice {ReferencedInvoiceNumber} of {ReferencedInvoiceIssueDate:yyyy-MM-dd}: {CreditReason}", vat.LegalNote }.Where(n => n is not null));
        BuyerReference = buyerReference;
        Status = InvoiceStatus.Finalised;
        FinalisedAt = now;
        TemplateHtmlSnapshot = renderHtml?.Invoke(this);
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

    internal InvoiceLine(Invoice invoice, int position, string description, long quantity, long unitPriceMinor, VatDecision vat, string? subscriptionId, DateTimeOffset? periodStart, DateTimeOffset? periodEnd, string? creditedLineId = null, string? billingKey = null)
    {
        CreditedLineId = creditedLineId;
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
        BillingKey = billingKey ?? (subscriptionId is null || periodStart is null ? null : $"{subscriptionId}@{periodStart.Value.UtcTicks}");
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

    /// <summary>On a credit note: the invoice line this line credits.</summary>
    public string? CreditedLineId { get; private set; }

    /// <summary>"subscription@period-start" for a subscription charge; unique in the database, so no period is invoiced twice.</summary>
    public string? BillingKey { get; private set; }

    /// <summary>BT-134 invoicing period start (UTC).</summary>
    public DateTimeOffset? PeriodStart { get; private set; }

    /// <summary>BT-135 invoicing period end (exclusive, UTC).</summary>
    public DateTimeOffset? PeriodEnd { get; private set; }

    internal VatDecision VatAsDecision(VatRule? rule) =>
        new(rule ?? Vat.VatRule.Domestic, VatCategory, new VatRate(VatRateBasisPoints), ExemptionReasonCode, ExemptionReason);

    internal void ApplyVat(VatDecision vat)
    {
        VatCategory = vat.Category;
        VatRateBasisPoints = vat.Rate.BasisPoints;
        ExemptionReasonCode = vat.ExemptionReasonCode;
        ExemptionReason = vat.ExemptionReasonCode is null ? null : vat.LegalNote;
    }
}
