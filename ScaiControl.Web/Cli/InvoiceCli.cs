using System.CommandLine;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Invoicing.EInvoicing;
using ScaiControl.Infrastructure.Payments;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Api;

namespace ScaiControl.Web.Cli;

/// <summary>
/// `admin invoices list|show|finalise|credit-note|pdf|einvoice` (issue 17): thin calls into <see cref="InvoiceService"/>,
/// <see cref="PaymentService"/> and <see cref="EInvoiceService"/>, as the REST API's /invoices and the MCP invoice
/// tools, run as the system actor. Reads print a table, or the REST API's JSON with --json. Exit codes: see
/// <see cref="ExitCodes"/> (a draft's PDF or e-invoice, or finalising a finalised invoice: 4).
/// </summary>
public static class InvoiceCli
{
    private static Actor Cli => Actor.System("cli");

    /// <summary>The `invoices` command group.</summary>
    public static Command Command(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's invoices (tnt_...)." };
        var status = new Option<string?>("--status") { Description = "draft or finalised (default: both)." };
        var list = new Command("list", "List invoices and credit notes, newest first: id, number (BT-1), type, status, tenant, issue date, gross total. Example: admin invoices list --tenant tnt_... --json") { tenant, status, json };
        list.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            var wanted = ParseStatus(parse.GetValue(status));
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var service = sp.GetRequiredService<InvoiceService>();
            var items = (await CliOutput.AllPagesAsync((cursor, limit) => service.ListAsync(Cli, parse.GetValue(tenant), wanted, cursor, limit, ct)))
                .Select(i => InvoiceDto.From(i)).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<InvoiceDto>(items, null));
                return 0;
            }

            var names = await sp.GetRequiredService<TenancyService>().TenantNamesAsync(Cli, items.Select(i => i.TenantId).Distinct(), ct);
            await CliOutput.WriteTableAsync(stdout, ["ID", "NUMBER", "TYPE", "STATUS", "TENANT", "ISSUED", "GROSS"],
                items.Select(i => new[]
                {
                    i.Id, i.Number, i.DocumentType, i.Status, names.TryGetValue(i.TenantId, out var n) ? n : i.TenantId,
                    i.IssueDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), CliOutput.Money(i.DocumentType == "credit_note" ? -i.GrossTotal : i.GrossTotal, i.Currency), // a credit note credits: shown negative, as in the portal
                }), "invoice");
            return 0;
        }));

        var id = new Argument<string>("id") { Description = "The invoice or credit note id (inv_...)." };
        var show = new Command("show", "Show one invoice: number, parties, lines (BG-25), VAT breakdown (BG-23), totals, PDF and payment state. Example: admin invoices show inv_...") { id, json };
        show.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var service = sp.GetRequiredService<InvoiceService>();
            var invoiceId = parse.GetValue(id)!;
            var invoice = await service.GetAsync(Cli, invoiceId, ct);
            var payment = await sp.GetRequiredService<PaymentService>().GetAsync(Cli, invoiceId, ct);
            var dto = InvoiceDto.From(invoice, await service.GetDocumentAsync(Cli, invoiceId, ct)) with
            {
                Payment = payment is null ? null : InvoicePaymentDto.From(payment.Account, payment.History),
            };
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, dto);
                return 0;
            }

            await WriteInvoiceAsync(stdout, dto);
            return 0;
        }));

        var dryRun = new Option<bool>("--dry-run") { Description = "Check that the invoice can be finalised and print it as it stands; change nothing." };
        var finalise = new Command("finalise", "Finalise a draft: VAT, seller and buyer snapshots, the next gap-free number; it can't be changed afterwards. Example: admin invoices finalise inv_... --dry-run") { id, dryRun, json };
        finalise.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var service = sp.GetRequiredService<InvoiceService>();
            var invoiceId = parse.GetValue(id)!;
            if (parse.GetValue(dryRun))
            {
                var draft = await service.GetAsync(Cli, invoiceId, ct);
                if (draft.Status != InvoiceStatus.Draft)
                {
                    throw new DomainConflictException($"Invoice {invoiceId} is already finalised.", "finalised", []);
                }

                if (parse.GetValue(json))
                {
                    await CliOutput.WriteJsonAsync(stdout, new { dry_run = true, invoice = InvoiceDto.From(draft) });
                    return 0;
                }

                await stdout.WriteLineAsync($"Dry run: {invoiceId} is a draft of {CliOutput.Money(draft.GrossTotalMinor, draft.Currency)} and can be finalised; nothing was changed.");
                return 0;
            }

            var done = await service.FinaliseAsync(Cli, invoiceId, ct);
            var dto = InvoiceDto.From(done, await service.GetDocumentAsync(Cli, invoiceId, ct));
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, dto);
                return 0;
            }

            await stdout.WriteLineAsync($"Finalised {dto.Id} as {dto.Number}: {CliOutput.Money(dto.GrossTotal, dto.Currency)} gross, due {dto.DueDate:yyyy-MM-dd}.");
            return 0;
        }));

        var reason = new Option<string>("--reason") { Description = "Why the invoice is credited (kept on the credit note).", Required = true };
        var creditNote = new Command("credit-note", "Create a draft credit note (BT-3 381) for all that is still uncredited of a finalised invoice; finalise it with `invoices finalise`. Example: admin invoices credit-note inv_... --reason \"duplicate\"") { id, reason, json };
        creditNote.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var note = InvoiceDto.From(await sp.GetRequiredService<InvoiceService>().CreateCreditNoteAsync(Cli, parse.GetValue(id)!, parse.GetValue(reason), [], ct));
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, note);
                return 0;
            }

            await stdout.WriteLineAsync($"Created draft credit note {note.Id} for {note.ReferencedInvoiceNumber}: {CliOutput.Money(note.GrossTotal, note.Currency)} gross.");
            return 0;
        }));

        var outFile = new Option<FileInfo>("--out") { Description = "The file to write.", Required = true };
        var pdf = new Command("pdf", "Write a finalised invoice's PDF to a file (rendered now if it is not yet). Example: admin invoices pdf inv_... --out invoice.pdf") { id, outFile };
        pdf.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var file = await sp.GetRequiredService<InvoiceService>().GetPdfAsync(Cli, parse.GetValue(id)!, ct);
            if (file.Content is null)
            {
                await stderr.WriteLineAsync($"error: the PDF of {parse.GetValue(id)} is not ready: {file.NotReadyReason?.ReplaceLineEndings(" ")}");
                return ExitCodes.Failure;
            }

            return await WriteFileAsync(stdout, parse.GetValue(outFile)!, file.Content, ct);
        }));

        var format = new Option<string?>("--format") { Description = $"One of {string.Join(", ", EInvoiceFormats.All)} (default: the buyer's preferred format, else ubl)." };
        var einvoice = new Command("einvoice", "Write a finalised invoice as an EN 16931 e-invoice (XML, or a Factur-X PDF). Example: admin invoices einvoice inv_... --format xrechnung-ubl --out invoice.xml") { id, format, outFile };
        einvoice.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var file = await sp.GetRequiredService<EInvoiceService>().ExportAsync(Cli, parse.GetValue(id)!, parse.GetValue(format), ct);
            return await WriteFileAsync(stdout, parse.GetValue(outFile)!, file.Content, ct);
        }));

        return new Command("invoices", "Invoices and credit notes.") { list, show, finalise, creditNote, pdf, einvoice };
    }

    private static async Task<int> WriteFileAsync(TextWriter stdout, FileInfo target, byte[] content, CancellationToken ct)
    {
        if (target.Directory is { Exists: false } dir)
        {
            throw new DomainValidationException("out", $"--out: the directory '{dir.FullName}' does not exist.");
        }

        await File.WriteAllBytesAsync(target.FullName, content, ct);
        await stdout.WriteLineAsync($"Wrote {content.Length} bytes to {target.FullName}.");
        return 0;
    }

    private static InvoiceStatus? ParseStatus(string? status) => status switch
    {
        null => null,
        "draft" => InvoiceStatus.Draft,
        "finalised" => InvoiceStatus.Finalised,
        _ => throw new DomainValidationException("status", $"--status '{status}' must be draft or finalised."),
    };

    private static async Task WriteInvoiceAsync(TextWriter stdout, InvoiceDto i)
    {
        await CliOutput.WriteFieldsAsync(stdout,
        [
            ("id", i.Id), ("number", i.Number), ("type", i.DocumentType), ("status", i.Status), ("tenant", i.TenantId), ("partner", i.PartnerId),
            ("issue date", i.IssueDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            ("due date", i.DueDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            ("seller", i.Seller?.LegalName), ("buyer", i.Buyer?.LegalName), ("buyer reference", i.BuyerReference),
            ("credits", i.ReferencedInvoiceNumber ?? i.ReferencedInvoiceId), ("credit reason", i.CreditReason), ("vat rule", i.VatRule),
            ("net", CliOutput.Money(i.NetTotal, i.Currency)), ("vat", CliOutput.Money(i.VatTotal, i.Currency)), ("gross", CliOutput.Money(i.GrossTotal, i.Currency)),
            ("pdf", i.Pdf is null ? null : i.Pdf.Reason is null ? i.Pdf.Status : $"{i.Pdf.Status}: {i.Pdf.Reason}"),
            ("payment", i.Payment is null ? null : $"{i.Payment.Status}, due {CliOutput.Money(i.Payment.AmountDue, i.Currency)}"),
        ]);
        await stdout.WriteLineAsync();
        await CliOutput.WriteTableAsync(stdout, ["#", "DESCRIPTION", "QTY", "UNIT", "NET", "VAT"],
            i.Lines.Select(l => new[]
            {
                l.Position.ToString(System.Globalization.CultureInfo.InvariantCulture), l.Description, l.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
                CliOutput.Money(l.UnitPrice, i.Currency), CliOutput.Money(l.NetAmount, i.Currency), $"{l.VatCategory} {l.VatRate}%",
            }), "line");
    }
}
