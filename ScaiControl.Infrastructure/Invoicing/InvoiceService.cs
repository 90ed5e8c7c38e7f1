using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Pdf;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Storage;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Invoicing;

/// <summary>The PDF of an invoice, or why there is none yet.</summary>
/// <param name="Content">The PDF bytes, when ready.</param>
/// <param name="FileName">"&lt;number&gt;.pdf".</param>
/// <param name="NotReadyReason">Plain words for the user when <paramref name="Content"/> is null.</param>
public sealed record InvoicePdf(byte[]? Content, string FileName, string? NotReadyReason);

/// <summary>
/// Invoices: listing and reading within the actor's scope, finalisation (VAT determination, snapshots, gap-free
/// number in one transaction) and the PDF (rendered with <see cref="IPdfRenderer"/>, stored in
/// <see cref="IObjectStorage"/> under invoices/&lt;partner&gt;/&lt;invoice&gt;.pdf, served from there afterwards).
/// </summary>
public sealed class InvoiceService(ScaiDbFactory factory, InvoiceHtmlRenderer html, IPdfRenderer pdf, IObjectStorage storage, TimeProvider clock, ILogger<InvoiceService> logger)
{
    /// <summary>A page of invoices the actor may see, newest first; <paramref name="cursor"/> is the last id of the previous page.</summary>
    public Task<Page<Invoice>> ListAsync(Actor actor, string? tenantId, InvoiceStatus? status, string? cursor, int limit, CancellationToken ct = default) =>
        SearchAsync(actor, tenantId, status, null, cursor, limit, ct);

    /// <summary>
    /// Like <see cref="ListAsync"/>, narrowed by <paramref name="text"/> (case-insensitive): the invoice number or the
    /// tenant's name contains it. Same keyset paging (newest first, never the whole table).
    /// </summary>
    public Task<Page<Invoice>> SearchAsync(Actor actor, string? tenantId, InvoiceStatus? status, string? text, string? cursor, int limit, CancellationToken ct = default) =>
        SearchAsync(actor, tenantId, status, text, null, cursor, limit, ct);

    /// <summary>The sort keys of the invoice list: number (BT-1; drafts have none and sort first), total (gross, BT-112, minor units) and created (id order).</summary>
    public static readonly SortKeys<Invoice> Sorts = new SortKeys<Invoice>().Text("number", i => i.Number ?? string.Empty).Number("total", i => i.GrossTotalMinor).Text("created", i => i.Id);

    /// <summary>Like the overload without <paramref name="sort"/>, in the order it names (<see cref="Sorts"/>; null: newest first).</summary>
    /// <exception cref="DomainValidationException">An unknown sort key, bad limit or cursor.</exception>
    public async Task<Page<Invoice>> SearchAsync(Actor actor, string? tenantId, InvoiceStatus? status, string? text, ListSort? sort, string? cursor, int limit, CancellationToken ct = default)
    {
        Require(actor, Permissions.InvoicesRead);
        await using var db = await factory.OpenAsync(actor, "list invoices", ct);
        var query = db.Invoices.AsNoTracking().Include(i => i.Lines).AsQueryable();
        if (tenantId is not null)
        {
            query = query.Where(i => i.TenantId == tenantId);
        }

        if (status is not null)
        {
            query = query.Where(i => i.Status == status);
        }

        if (text?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
            // LOWER(...) LIKE '%term%' on every provider (the StringComparison overload has no SQL translation).
#pragma warning disable CA1862
            query = query.Where(i => (i.Number != null && i.Number.ToLower().Contains(term)) || db.Tenants.Any(t => t.Id == i.TenantId && t.Name.ToLower().Contains(term)));
#pragma warning restore CA1862
        }

        return await Paging.ReadAsync(query, i => i.Id, Sorts, sort, cursor, limit, ct);
    }

    /// <summary>One invoice with its lines.</summary>
    /// <exception cref="NotFoundException">Unknown, or not visible to the actor.</exception>
    public async Task<Invoice> GetAsync(Actor actor, string id, CancellationToken ct = default)
    {
        Require(actor, Permissions.InvoicesRead);
        await using var db = await factory.OpenAsync(actor, "read invoice", ct);
        return await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(i => i.Id == id, ct)
            ?? throw new NotFoundException("invoice", id);
    }

    /// <summary>
    /// One invoice as its detail page and GET /api/v1/invoices/{id} show it: the invoice with its lines, its PDF state
    /// (null while draft) and its payment account with the payment history (null while draft), read through one
    /// context in two statements (the invoice with its lines, document and account in one; the history only when there is
    /// an account) instead of three contexts and six statements (issue 13).
    /// </summary>
    /// <exception cref="NotFoundException">Unknown, or not visible to the actor.</exception>
    public async Task<InvoiceDetail> GetDetailAsync(Actor actor, string id, CancellationToken ct = default)
    {
        Require(actor, Permissions.InvoicesRead);
        await using var db = await factory.OpenAsync(actor, "read invoice", ct);
        var row = await db.Invoices.AsNoTracking().Include(i => i.Lines).Where(i => i.Id == id)
            .Select(i => new
            {
                Invoice = i,
                Document = db.InvoiceDocuments.FirstOrDefault(d => d.InvoiceId == i.Id),
                Account = db.Set<Domain.Payments.InvoiceAccount>().FirstOrDefault(a => a.InvoiceId == i.Id),
            })
            .SingleOrDefaultAsync(ct) ?? throw new NotFoundException("invoice", id);
        Payments.InvoicePaymentView? payment = null;
        if (row.Account is not null)
        {
            var history = await db.Set<Domain.Payments.PaymentTransaction>().AsNoTracking().Where(t => t.InvoiceId == id).ToListAsync(ct);
            payment = new Payments.InvoicePaymentView(row.Account, history.OrderBy(t => t.RecordedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList());
        }

        return new InvoiceDetail(row.Invoice, row.Document, payment);
    }

    /// <summary>The PDF state of an invoice (null while draft).</summary>
    public async Task<InvoiceDocument?> GetDocumentAsync(Actor actor, string id, CancellationToken ct = default)
    {
        Require(actor, Permissions.InvoicesRead);
        await using var db = await factory.OpenAsync(actor, "read invoice document", ct);
        return await db.InvoiceDocuments.AsNoTracking().SingleOrDefaultAsync(d => d.InvoiceId == id, ct);
    }

    /// <summary>Finalises a draft the actor may write (invoices:write).</summary>
    /// <exception cref="NotFoundException">Unknown or invisible.</exception>
    /// <exception cref="InvoiceImmutableException">Already finalised.</exception>
    /// <exception cref="DomainConflictException">No lines, or the buyer's billing profile / seller configuration is missing.</exception>
    public async Task<Invoice> FinaliseAsync(Actor actor, string id, CancellationToken ct = default)
    {
        Require(actor, Permissions.InvoicesWrite);
        Invoice invoice;
        await using (var db = await factory.OpenAsync(actor, "finalise invoice", ct))
        {
            invoice = await FinaliseAsync(db, id, ct);
        }

        await TryRenderAsync(invoice.Id, ct);
        return invoice;
    }

    /// <summary>
    /// Finalises in <paramref name="db"/>'s scope: reads the draft, seller and buyer first, then in ONE transaction
    /// takes the next number of the seller's series, applies the VAT decision, freezes the snapshots and saves.
    /// Any failure rolls the number back with the rest. The HTML snapshot is rendered with the template in force for
    /// the seller, document type and <paramref name="language"/> (BCP 47; null = the buyer's document language,
    /// <see cref="TenantBillingProfile.EffectiveDocumentLanguage"/>), see docs/invoicing.md "Templates".
    /// </summary>
    /// <remarks>
    /// The whole finalisation is one retriable unit (<see cref="RetriableUnits"/>, unit "finalise"): on Galera a
    /// number taken on another node at the same moment fails this transaction at COMMIT (error 1213) and it runs again
    /// from the first read, so it takes the next free number. A retry that finds the invoice finalised (the previous
    /// attempt's commit went through before the connection failed) returns it.
    /// </remarks>
    public Task<Invoice> FinaliseAsync(ScaiDbContext db, string id, CancellationToken ct, string? language = null) =>
        RetriableUnits.RunAsync(db, "finalise", (attempt, token) => FinaliseOnceAsync(db, id, attempt, language, token), ct);

    private async Task<Invoice> FinaliseOnceAsync(ScaiDbContext db, string id, int attempt, string? language, CancellationToken ct)
    {
        var invoice = await db.Invoices.Include(i => i.Lines).SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw new NotFoundException("invoice", id);
        if (invoice.Status == InvoiceStatus.Finalised)
        {
            return attempt > 1 ? invoice : throw new InvoiceImmutableException(invoice.Id);
        }

        var seller = await db.PartnerConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.PartnerId == invoice.PartnerId, ct)
            ?? throw new DomainConflictException($"The seller of invoice {id} has no partner configuration (legal name, address, VAT id, bank); complete it, then finalise.", "draft", ["finalize"]);
        var buyer = await db.TenantBillingProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == invoice.TenantId, ct)
            ?? throw new DomainConflictException($"The buyer of invoice {id} has no billing profile; the tenant must add one, then the invoice can be finalised.", "draft", ["finalize"]);

        var now = clock.GetUtcNow();
        var issueDate = DateOnly.FromDateTime(now.UtcDateTime);
        var series = InvoiceNumbers.Series(seller.InvoicePrefix, invoice.DocumentType);
        Invoice? original = null;
        PartySnapshot buyerSnapshot = buyer.Snapshot(), sellerSnapshot = seller.Snapshot();
        VatDecision vat;
        if (invoice.DocumentType == DocumentType.CreditNote)
        {
            // A credit note corrects its invoice: same parties, same VAT per line, the invoice's legal notes.
            original = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.Id == invoice.ReferencedInvoiceId, ct);
            (buyerSnapshot, sellerSnapshot) = (original.Buyer!, original.Seller!);
            vat = new VatDecision(original.VatRule ?? VatRule.Domestic, VatCategory.S, VatRate.Zero, null, original.Notes.Length == 0 ? null : original.Notes);
        }
        else
        {
            var crossBorderB2C = seller.OssMode == OssMode.Threshold ? await CrossBorderB2CEurAsync(db, seller.PartnerId, issueDate.Year, ct) : 0;
            vat = VatDetermination.Determine(new VatContext(seller.Country, buyer.Country, buyer.VatId, buyer.HasValidatedVatId, issueDate, seller.OssMode, crossBorderB2C));
            if (vat.Remark is { } remark)
            {
                // Say so in the audit log, in the finalisation's transaction.
                db.AuditLog.Add(new Domain.Audit.AuditEntry(db.Scope.ActorId, invoice.PartnerId, invoice.TenantId, "vat_fallback", nameof(Invoice), invoice.Id, null,
                    System.Text.Json.JsonSerializer.Serialize(new { remark, rule = vat.Rule.WireName() }), now));
            }
        }

        // The document language: the caller's, else the buyer's (billing profile, default from its country).
        var render = await html.ForAsync(db, invoice.PartnerId, invoice.DocumentType, language ?? buyer.EffectiveDocumentLanguage, ct);
        var terms = await Payments.PaymentLedger.TermsAsync(db, invoice.PartnerId, invoice.TenantId, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var sequence = await DocumentNumbering.NextAsync(db, invoice.PartnerId, series, issueDate.Year, ct);
        if (original is not null)
        {
            // Checked under the series lock, so two credit notes finalised at once cannot over-credit together.
            invoice.EnsureWithinCreditLimits(original, await CreditedAsync(db, original, onlyFinalised: true, excluding: invoice.Id, ct));
        }

        invoice.Finalise(InvoiceNumbers.Format(series, issueDate.Year, sequence), issueDate, buyerSnapshot, sellerSnapshot, vat, now, render,
            original?.BuyerReference ?? buyer.BuyerReference, terms);
        db.InvoiceDocuments.Add(new InvoiceDocument(invoice, now));
        // Payment state (issue 16): the invoice opens its account, a credit note reduces its invoice's amount due.
        await Payments.PaymentLedger.OnFinalisedAsync(db, invoice, terms, now, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new DomainConflictException($"Invoice {id} was finalised by someone else at the same time.", "finalised", []);
        }

        await tx.CommitAsync(ct);
        Observability.ScaiMetrics.InvoicesFinalised.Add(1, new KeyValuePair<string, object?>("document_type", invoice.DocumentType == DocumentType.CreditNote ? "credit_note" : "invoice"));
        return invoice;
    }

    /// <summary>
    /// Drafts a credit note against a finalised invoice (per line by quantity or amount; no lines = everything still
    /// uncredited by finalised credit notes). Drafts reserve nothing: the limit is enforced again, under the series
    /// lock, when a credit note is finalised. Finalise it like an invoice; it takes the PREFIX-CN-YYYY-NNNNNN series.
    /// </summary>
    /// <exception cref="NotFoundException">Unknown or invisible invoice.</exception>
    /// <exception cref="DomainConflictException">A draft or a credit note, or more than is left to credit.</exception>
    /// <exception cref="DomainValidationException">Missing reason, unknown line, bad quantity/amount.</exception>
    public async Task<Invoice> CreateCreditNoteAsync(Actor actor, string invoiceId, string? reason, IReadOnlyList<CreditRequest> lines, CancellationToken ct = default)
    {
        Require(actor, Permissions.InvoicesWrite);
        await using var db = await factory.OpenAsync(actor, "create credit note", ct);
        var original = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(i => i.Id == invoiceId, ct) ?? throw new NotFoundException("invoice", invoiceId);
        var note = Invoice.CreditNoteFor(original, lines, reason, await CreditedAsync(db, original, onlyFinalised: true, excluding: null, ct), clock.GetUtcNow());
        db.Invoices.Add(note);
        await db.SaveChangesAsync(ct);
        return note;
    }

    /// <summary>
    /// The larger of the seller's cross-border B2C supplies (EUR cents, net) in <paramref name="year"/> and in the year
    /// before (Art. 59c: below the threshold in the current AND the preceding calendar year), from its finalised
    /// invoices under either B2C rule, less its credit notes.
    /// </summary>
    internal static async Task<long> CrossBorderB2CEurAsync(ScaiDbContext db, string sellerId, int year, CancellationToken ct)
    {
        var from = new DateOnly(year - 1, 1, 1);
        var rows = await db.Invoices.AsNoTracking()
            .Where(i => i.PartnerId == sellerId && i.Status == InvoiceStatus.Finalised && i.Currency == "EUR" && i.IssueDate >= from
                        && (i.VatRule == VatRule.IntraEuB2C || i.VatRule == VatRule.IntraEuB2CBelowThreshold))
            .Select(i => new { i.DocumentType, i.NetTotalMinor, i.IssueDate }).ToListAsync(ct);
        long Year(int y) => rows.Where(r => r.IssueDate!.Value.Year == y).Sum(r => r.DocumentType == DocumentType.CreditNote ? -r.NetTotalMinor : r.NetTotalMinor);
        return Math.Max(Year(year), Year(year - 1));
    }

    /// <summary>Minor units already credited per line of <paramref name="original"/> by its credit notes.</summary>
    private static async Task<Dictionary<string, long>> CreditedAsync(ScaiDbContext db, Invoice original, bool onlyFinalised, string? excluding, CancellationToken ct)
    {
        var lineIds = original.Lines.Select(l => l.Id).ToList();
        return await (from l in db.InvoiceLines.AsNoTracking()
                      join n in db.Invoices.AsNoTracking() on l.InvoiceId equals n.Id
                      where l.CreditedLineId != null && lineIds.Contains(l.CreditedLineId)
                            && n.ReferencedInvoiceId == original.Id && n.Id != excluding
                            && (!onlyFinalised || n.Status == InvoiceStatus.Finalised)
                      group l by l.CreditedLineId into g
                      select new { LineId = g.Key!, Amount = g.Sum(x => x.NetAmountMinor) }).ToDictionaryAsync(x => x.LineId, x => x.Amount, ct);
    }

    /// <summary>The PDF of a finalised invoice: from storage when rendered, rendered now when possible, else the reason.</summary>
    /// <exception cref="NotFoundException">Unknown or invisible.</exception>
    /// <exception cref="DomainConflictException">Still a draft.</exception>
    public async Task<InvoicePdf> GetPdfAsync(Actor actor, string id, CancellationToken ct = default)
    {
        var invoice = await GetAsync(actor, id, ct);
        if (invoice.Status != InvoiceStatus.Finalised)
        {
            throw new DomainConflictException($"Invoice {id} is a draft; it gets a PDF when finalised.", "draft", ["finalize"]);
        }

        var document = await TryRenderAsync(id, ct);
        var fileName = $"{invoice.Number}.pdf";
        if (document is { Status: InvoiceDocumentStatus.Ready, ObjectKey: { } key } && await storage.GetAsync(key, ct) is { } bytes)
        {
            return new InvoicePdf(bytes, fileName, null);
        }

        return new InvoicePdf(null, fileName, document?.Reason ?? "The PDF has not been rendered yet.");
    }

    /// <summary>
    /// Renders and stores the PDF of a finalised invoice if it is not ready yet (system scope: the caller has
    /// already been authorised). Failures are recorded on the document, never thrown.
    /// </summary>
    public async Task<InvoiceDocument?> TryRenderAsync(string invoiceId, CancellationToken ct = default)
    {
        await using var db = await factory.ForSystemAsync("pdf-render", ct);
        var document = await db.InvoiceDocuments.SingleOrDefaultAsync(d => d.InvoiceId == invoiceId, ct);
        if (document is null || document.Status == InvoiceDocumentStatus.Ready)
        {
            return document;
        }

        var now = clock.GetUtcNow();
        if (pdf.UnavailableReason is { } reason)
        {
            if (document.Reason != reason)
            {
                document.NotReady(reason, permanent: false, now);
                await db.SaveChangesAsync(ct);
            }

            return document;
        }

        try
        {
            var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.Id == invoiceId, ct);
            var bytes = await pdf.RenderAsync(invoice.TemplateHtmlSnapshot ?? html.Render(invoice), ct);
            var key = $"invoices/{invoice.PartnerId}/{invoice.Id}.pdf";
            if (!await storage.PutAsync(key, bytes, "application/pdf", ct))
            {
                // Stored before (another node, or a crash before this row was saved): the stored PDF is the document.
                bytes = await storage.GetAsync(key, ct) ?? throw new InvalidOperationException($"Object {key} exists but cannot be read.");
            }

            document.Ready(key, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), bytes.LongLength, now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Rendering the PDF of invoice {InvoiceId} failed", invoiceId);
            document.NotReady($"Rendering the PDF failed: {e.Message}. It is retried automatically.", permanent: document.Attempts >= 5, now);
        }

        await db.SaveChangesAsync(ct);
        return document;
    }

    /// <summary>Renders every pending PDF (the pdf-render job); returns how many became ready.</summary>
    public async Task<int> RenderPendingAsync(CancellationToken ct = default)
    {
        if (pdf.UnavailableReason is not null)
        {
            return 0;
        }

        List<string> pending;
        await using (var db = await factory.ForSystemAsync("pdf-render", ct))
        {
            pending = await db.InvoiceDocuments.Where(d => d.Status == InvoiceDocumentStatus.Pending).Select(d => d.InvoiceId).Take(200).ToListAsync(ct);
        }

        var ready = 0;
        foreach (var id in pending)
        {
            if ((await TryRenderAsync(id, ct))?.Status == InvoiceDocumentStatus.Ready)
            {
                ready++;
            }
        }

        return ready;
    }

    /// <summary>Why PDFs cannot be rendered on this node (null when they can): the billing run stores it on each new document row.</summary>
    internal string? PdfUnavailableReason => pdf.UnavailableReason;

    /// <summary>The HTML renderer (the billing run resolves each seller's compiled template once per run through it).</summary>
    internal InvoiceHtmlRenderer Html => html;

    internal static void Require(Actor actor, string permission)
    {
        if (!actor.Can(permission))
        {
            throw new UnauthorizedAccessException($"The permission '{permission}' is required.");
        }
    }
}

/// <summary>An invoice with its lines, its PDF state and its payment account and history (both null while draft).</summary>
public sealed record InvoiceDetail(Invoice Invoice, InvoiceDocument? Document, Payments.InvoicePaymentView? Payment);
