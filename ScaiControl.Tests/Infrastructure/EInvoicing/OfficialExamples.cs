using System.Xml.Linq;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// The official example documents kept in ../shared/einvoicing/examples (read in place, never copied into the project):
/// EN 16931 UBL and CII examples of CEN TC 434 and the XRechnung 3.0 test suite of KoSIT.
/// </summary>
internal static class OfficialExamples
{
    private static readonly Lazy<string> Folder = new(Locate);

    public static XDocument Load(string relativePath) => XDocument.Load(PathOf(relativePath));

    public static string PathOf(string relativePath) => Path.Combine(Folder.Value, relativePath);

    /// <summary>The examples our output of <paramref name="sample"/> is compared with, by syntax, specification and document type.</summary>
    public static IReadOnlyList<string> For(string sample)
    {
        var (name, format) = EInvoiceSamples.Split(sample);
        var creditNote = EInvoiceSamples.Document(name).TypeCode == ScaiControl.Infrastructure.Invoicing.EInvoicing.EInvoiceTypeCode.CreditNote;
        return format switch
        {
            "ubl" when creditNote => ["en16931-ubl/ubl-tc434-creditnote1.xml"],
            "ubl" => ["en16931-ubl/ubl-tc434-example1.xml", "en16931-ubl/ubl-tc434-example2.xml", "en16931-ubl/sample-discount-price.xml"],
            "xrechnung-ubl" when creditNote => ["en16931-ubl/ubl-tc434-creditnote1.xml"],
            "xrechnung-ubl" => ["xrechnung/01.01a-INVOICE_ubl.xml", "xrechnung/01.21a-INVOICE_ubl.xml"],
            "cii" => ["en16931-cii/CII_example1.xml", "en16931-cii/CII_business_example_01.xml", "en16931-cii/CII_example5.xml"],
            "xrechnung-cii" => ["xrechnung/01.01a-INVOICE_uncefact.xml", "xrechnung/01.21a-INVOICE_uncefact.xml"],
            _ => throw new ArgumentOutOfRangeException(nameof(sample), sample, "unknown format"),
        };
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaiControl.sln")))
            {
                var examples = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "einvoicing", "examples"));
                return Directory.Exists(examples)
                    ? examples
                    : throw new DirectoryNotFoundException($"The official e-invoice examples are expected in {examples} (shared/ beside the repository).");
            }
        }

        throw new DirectoryNotFoundException("ScaiControl.sln not found above " + AppContext.BaseDirectory);
    }
}
