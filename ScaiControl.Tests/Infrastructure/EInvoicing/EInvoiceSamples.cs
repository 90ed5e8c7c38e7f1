using System.Collections.Concurrent;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Invoicing.EInvoicing;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// The VAT cases of issue 3, each as an <see cref="EInvoiceDocument"/>, and every case written in every format.
/// Domestic, reverse charge, B2C OSS and export are finalised <see cref="Invoice"/> aggregates projected with
/// <see cref="EInvoiceDocument.From"/>. The domain has no public way to create a credit note yet, and its single
/// <see cref="VatDecision"/> per finalisation cannot give two rates or a line allowance, so the credit note, the
/// multi-rate invoice and the discounted line are built as <see cref="EInvoiceDocument"/> directly.
/// </summary>
internal static class EInvoiceSamples
{
    public const string PartnerId = "ptr_01EINVPARTNER";
    public const string TenantId = "tnt_01EINVTENANT";
    public static readonly DateOnly IssueDate = new(2026, 11, 22);
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset PeriodStart = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset PeriodEnd = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly PartySnapshot Seller = new(
        "Scai B.V.", new PostalAddress("Herengracht 1", null, "1015 BA", "Amsterdam", "NL"), "NL123456789B01",
        "billing@scai.example", "NL91ABNA0417164300", "ABNANL2A");

    public static readonly PartySnapshot DutchBuyer = new(
        "Klant B.V.", new PostalAddress("Damrak 70", null, "1012 LM", "Amsterdam", "NL"), "NL987654321B01", "ap@klant.example");

    public static readonly PartySnapshot GermanBuyer = new(
        "Muster GmbH", new PostalAddress("Hauptstraße 5", "2. OG", "10115", "Berlin", "DE"), "DE123456789", "ap@muster.example");

    public static readonly PartySnapshot FrenchConsumer = new(
        "Camille Martin", new PostalAddress("12 rue de Rivoli", null, "75001", "Paris", "FR"), null, "camille@martin.example");

    public static readonly PartySnapshot UsBuyer = new(
        "Acme Inc.", new PostalAddress("1 Market Street", "Suite 200", "94105", "San Francisco", "US"), "US12-3456789", "ap@acme.example",
        RegistrationId: "123456789", RegistrationScheme: "0060");

    /// <summary>A Norwegian company (Peppol country) with its organisation number (ICD 0192) and no buyer reference.</summary>
    public static readonly PartySnapshot NorwegianBuyer = new(
        "Fjord Analytics AS", new PostalAddress("Karl Johans gate 5", null, "0154", "Oslo", "NO"), "NO987654325MVA", "ap@fjord.example",
        RegistrationId: "987654325", RegistrationScheme: "0192");

    /// <summary>The values an invoice does not hold: BT-10, the seller's telephone and its KvK number (BT-30, scheme 0106).</summary>
    public static readonly EInvoiceContext Context = new(
        BuyerReference: "PO-4711",
        SellerContactName: "Scai billing",
        SellerContactPhone: "+31 20 123 4567",
        SellerLegalRegistrationId: new EInvoiceIdentifier("12345678", "0106"));

    public static IReadOnlyList<string> Cases { get; } = ["domestic", "reverse-charge", "b2c-oss", "export", "credit-note", "multi-rate", "discount"];

    public static IReadOnlyList<string> Formats => EInvoiceFormats.Xml;

    private static readonly ConcurrentDictionary<string, EInvoiceDocument> Documents = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, EInvoiceView> Views = new(StringComparer.Ordinal);

    /// <summary>The document of a case (built once).</summary>
    public static EInvoiceDocument Document(string name) => Documents.GetOrAdd(name, Build);

    /// <summary>The parsed output of a case in a format ("domestic/ubl"), written once.</summary>
    public static EInvoiceView View(string sample) => Views.GetOrAdd(sample, key =>
    {
        var (name, format) = Split(key);
        return EInvoiceView.Parse(EInvoiceFormats.Write(Document(name), format).Content, format);
    });

    public static (string Case, string Format) Split(string sample)
    {
        var slash = sample.IndexOf('/', StringComparison.Ordinal);
        return (sample[..slash], sample[(slash + 1)..]);
    }

    /// <summary>Every case in every format.</summary>
    public static TheoryData<string> All() => Where(_ => true);

    /// <summary>Samples in the XRechnung formats.</summary>
    public static TheoryData<string> XRechnung() => Where(s => s.Contains("/xrechnung-", StringComparison.Ordinal));

    /// <summary>Samples in Peppol BIS UBL.</summary>
    public static TheoryData<string> Peppol() => Where(s => s.EndsWith("/ubl", StringComparison.Ordinal));

    /// <summary>Samples whose XRechnung schematron also runs the Peppol UBL rules (XRechnung UBL) plus Peppol BIS.</summary>
    public static TheoryData<string> PeppolAndXRechnungUbl() => Where(s => s.EndsWith("/ubl", StringComparison.Ordinal) || s.EndsWith("/xrechnung-ubl", StringComparison.Ordinal));

    /// <summary>Samples with a line of <paramref name="category"/>.</summary>
    public static TheoryData<string> WithCategory(string category) =>
        Where(s => Document(Split(s).Case).Lines.Any(l => l.VatCategory.ToString() == category));

    /// <summary>Samples with a line allowance (BG-27).</summary>
    public static TheoryData<string> WithLineAllowance() => Where(s => Document(Split(s).Case).Lines.Any(l => l.Allowances.Count > 0));

    /// <summary>Credit note samples.</summary>
    public static TheoryData<string> CreditNotes() => Where(s => Document(Split(s).Case).TypeCode == EInvoiceTypeCode.CreditNote);

    private static TheoryData<string> Where(Func<string, bool> keep)
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases)
        {
            foreach (var format in Formats)
            {
                var sample = $"{name}/{format}";
                // Peppol does not deliver to consumers: the B2C buyer has no id for a Peppol EAS address (R010, CL008).
                if (keep(sample) && sample != "b2c-oss/ubl")
                {
                    data.Add(sample);
                }
            }
        }

        return data;
    }

    private static EInvoiceDocument Build(string name) => name switch
    {
        "domestic" => FromDomain(DutchBuyer),
        "reverse-charge" => FromDomain(GermanBuyer),
        "b2c-oss" => FromDomain(FrenchConsumer),
        "export" => FromDomain(UsBuyer),
        "credit-note" => CreditNote(),
        "multi-rate" => MultiRate(),
        "discount" => Discount(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown sample"),
    };

    /// <summary>A finalised invoice through the domain: two lines for November 2026, VAT decided from the snapshots.</summary>
    public static Invoice FinalisedInvoice(PartySnapshot buyer, string number = "SCAI-2026-000042")
    {
        var vat = VatDetermination.Determine(Seller.Address.Country, buyer.Address.Country, buyer.VatId, IssueDate);
        var invoice = new Invoice(PartnerId, TenantId, "EUR", "brn_01EINVRUN", Now);
        invoice.AddLine("Pro plan", 1, Money.Of(2900, "EUR"), vat, "sub_01PRO", PeriodStart, PeriodEnd);
        invoice.AddLine("Extra seats", 3, Money.Of(1999, "EUR"), vat, "sub_01SEATS", PeriodStart, PeriodEnd);
        invoice.Finalise(number, IssueDate, buyer, Seller, vat, Now);
        return invoice;
    }

    private static EInvoiceDocument FromDomain(PartySnapshot buyer) => EInvoiceDocument.From(FinalisedInvoice(buyer), Context);

    private static EInvoiceDocument Base() => EInvoiceDocument.From(FinalisedInvoice(DutchBuyer, "SCAI-2026-000043"), Context);

    /// <summary>A partial credit of the domestic invoice: two seats back, referencing it (BG-3).</summary>
    private static EInvoiceDocument CreditNote() => Base() with
    {
        Number = "SCAI-CN-2026-000001",
        TypeCode = EInvoiceTypeCode.CreditNote,
        IssueDate = new DateOnly(2026, 11, 25),
        DueDate = new DateOnly(2026, 12, 9),
        Notes = ["Credit for 2 unused seats."],
        PrecedingInvoice = new EInvoicePrecedingInvoice("SCAI-2026-000042", IssueDate),
        Payment = new EInvoicePaymentInstructions(EInvoicePaymentInstructions.SepaCreditTransfer, "SCAI-CN-2026-000001", Seller.Iban, Seller.Bic),
        InvoicingPeriod = null,
        Lines = [Line("1", 2, 1999, "Extra seats (credited)", VatCategory.S, 2100)],
    };

    /// <summary>Standard 21 % and reduced 9 % (NL) on one invoice: two S groups in the breakdown.</summary>
    private static EInvoiceDocument MultiRate() => Base() with
    {
        Number = "SCAI-2026-000044",
        InvoicingPeriod = null,
        Lines =
        [
            Line("1", 1, 2900, "Pro plan", VatCategory.S, 2100),
            Line("2", 3, 1249, "E-book licence", VatCategory.S, 900),
            Line("3", 2, 333, "Support minutes", VatCategory.S, 2100),
        ],
    };

    /// <summary>A line with a 15 % loyalty discount as a line allowance (BG-27), next to a line without.</summary>
    private static EInvoiceDocument Discount() => Base() with
    {
        Number = "SCAI-2026-000045",
        InvoicingPeriod = null,
        Lines =
        [
            Line("1", 2, 5000, "Enterprise plan", VatCategory.S, 2100) with { Allowances = [new EInvoiceAllowance(1500, "Loyalty discount", "95")] },
            Line("2", 1, 1999, "Extra seat", VatCategory.S, 2100),
        ],
    };

    private static EInvoiceLine Line(string id, long quantity, long priceMinor, string name, VatCategory category, int basisPoints) =>
        new(id, quantity, EInvoiceLine.UnitOne, priceMinor, name, category, new VatRate(basisPoints), new EInvoicePeriod(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30)), [], null);
}
