using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using ScaiControl.Infrastructure.Invoicing.EInvoicing;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// The Factur-X PDF as independent tools read it (qpdf --json / --check, pdfdetach, pdftotext): one embedded
/// factur-x.xml equal to our CII, the PDF/A-3 attachment structure, the XMP, an sRGB OutputIntent, the visible invoice
/// unchanged. Needs Debian's qpdf and poppler-utils (scripts/test.sh installs them).
/// </summary>
public sealed class FacturXTests
{
    private const string Number = "SCAI-2026-000042";
    private static readonly XNamespace Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private static readonly XNamespace Fx = FacturXWriter.FxNamespace;
    private static readonly XNamespace PdfAId = "http://www.aiim.org/pdfa/ns/id/";
    private static readonly FacturXMetadata Metadata = new(Number, EInvoiceSamples.IssueDate, $"Invoice {Number}");

    private static readonly Lazy<Task<(byte[] Cii, FacturXInspection Result)>> Domestic = new(async () =>
    {
        var cii = EInvoiceFormats.Write(EInvoiceSamples.Document("domestic"), "cii").Content;
        var pdf = await Writer().WriteAsync(FacturXInspection.MinimalPdf($"Invoice {Number}"), cii, Metadata);
        return (cii, await FacturXInspection.InspectAsync(pdf));
    });

    private static FacturXWriter Writer(string qpdf = "/usr/bin/qpdf") => new(new FacturXOptions { QpdfPath = qpdf });

    [Fact]
    public async Task ExactlyOneEmbeddedFile_NamedFacturXXml_HoldsTheCiiBytes()
    {
        var (cii, fx) = await Domestic.Value;

        Assert.Contains("1 embedded files", fx.DetachList, StringComparison.Ordinal);
        Assert.Contains("1: factur-x.xml", fx.DetachList, StringComparison.Ordinal);
        Assert.Equal(cii, Assert.Single(fx.Attachments));
        Assert.Equal("CrossIndustryInvoice", XDocument.Parse(Encoding.UTF8.GetString(fx.Attachments[0])).Root!.Name.LocalName);
    }

    [Fact]
    public async Task TheFileSpecification_IsAnAssociatedFileWithRelationshipData_ReferencedByTheCatalogAndTheNameTree()
    {
        var (cii, fx) = await Domestic.Value;
        var af = Assert.Single(fx.Catalog["/AF"]!.AsArray())!.GetValue<string>();
        var filespec = fx.Value(af);

        Assert.Equal("/Filespec", filespec["/Type"]!.GetValue<string>());
        Assert.Equal("u:factur-x.xml", filespec["/F"]!.GetValue<string>());
        Assert.Equal("u:factur-x.xml", filespec["/UF"]!.GetValue<string>());
        Assert.Equal("/Data", filespec["/AFRelationship"]!.GetValue<string>());

        var names = fx.Value(fx.Value(fx.Catalog["/Names"])["/EmbeddedFiles"])["/Names"]!.AsArray();
        Assert.Equal(2, names.Count);
        Assert.Equal("u:factur-x.xml", names[0]!.GetValue<string>());
        Assert.Equal(af, names[1]!.GetValue<string>());

        var stream = filespec["/EF"]!["/F"];
        var dict = fx.Value(stream);
        Assert.Equal("/EmbeddedFile", dict["/Type"]!.GetValue<string>());
        Assert.Equal("/text/xml", dict["/Subtype"]!.GetValue<string>()); // qpdf JSON for the PDF name /text#2Fxml
        Assert.Equal("u:D:20261122000000+00'00'", dict["/Params"]!["/ModDate"]!.GetValue<string>());
        Assert.Equal(cii.Length, dict["/Params"]!["/Size"]!.GetValue<int>());
        Assert.Equal(cii, fx.StreamData(stream));
    }

    [Fact]
    public async Task TheXmp_DeclaresPdfA3B_AndTheFacturXProperties_WithTheirExtensionSchema()
    {
        var (_, fx) = await Domestic.Value;
        var metadata = fx.Value(fx.Catalog["/Metadata"]);
        Assert.Equal("/Metadata", metadata["/Type"]!.GetValue<string>());
        Assert.Equal("/XML", metadata["/Subtype"]!.GetValue<string>());
        Assert.Null(metadata["/Filter"]); // PDF/A: the metadata stream is not filtered

        var xmp = fx.Xmp;
        string One(XName name) => Assert.Single(xmp.Descendants(name)).Value;
        Assert.Equal("3", One(PdfAId + "part"));
        Assert.Equal("B", One(PdfAId + "conformance"));
        Assert.Equal("factur-x.xml", One(Fx + "DocumentFileName"));
        Assert.Equal("INVOICE", One(Fx + "DocumentType"));
        Assert.Equal("1.0", One(Fx + "Version"));
        Assert.Equal("EN 16931", One(Fx + "ConformanceLevel"));

        XNamespace schema = "http://www.aiim.org/pdfa/ns/schema#";
        XNamespace property = "http://www.aiim.org/pdfa/ns/property#";
        var fxSchema = Assert.Single(xmp.Descendants(schema + "namespaceURI"), e => e.Value == FacturXWriter.FxNamespace).Parent!;
        Assert.Equal("fx", fxSchema.Element(schema + "prefix")!.Value);
        Assert.Equal(
            ["DocumentFileName", "DocumentType", "Version", "ConformanceLevel"],
            fxSchema.Descendants(property + "name").Select(e => e.Value));

        XNamespace dc = "http://purl.org/dc/elements/1.1/";
        XNamespace xmpNs = "http://ns.adobe.com/xap/1.0/";
        XNamespace pdf = "http://ns.adobe.com/pdf/1.3/";
        var info = fx.Value(fx.Trailer["/Info"]);
        Assert.Equal($"u:{One(dc + "title")}", info["/Title"]!.GetValue<string>());
        Assert.Equal($"u:{One(xmpNs + "CreatorTool")}", info["/Creator"]!.GetValue<string>());
        Assert.Equal($"u:{One(pdf + "Producer")}", info["/Producer"]!.GetValue<string>());
        Assert.Equal("2026-11-22T00:00:00+00:00", One(xmpNs + "CreateDate"));
        Assert.Equal("u:D:20261122000000+00'00'", info["/CreationDate"]!.GetValue<string>());
        Assert.Contains("<?xpacket begin=\"\uFEFF\"", Encoding.UTF8.GetString(fx.StreamData(fx.Catalog["/Metadata"])), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOutputIntent_CarriesAnRgbIccProfile()
    {
        var (_, fx) = await Domestic.Value;
        var intent = fx.Value(Assert.Single(fx.Catalog["/OutputIntents"]!.AsArray()));

        Assert.Equal("/GTS_PDFA1", intent["/S"]!.GetValue<string>());
        Assert.Equal("u:sRGB IEC61966-2.1", intent["/OutputConditionIdentifier"]!.GetValue<string>());
        var profileRef = intent["/DestOutputProfile"];
        Assert.Equal(3, fx.Value(profileRef)["/N"]!.GetValue<int>());
        var icc = fx.StreamData(profileRef);
        Assert.Equal(SrgbIccProfile.Bytes, icc);
    }

    [Fact]
    public async Task TheVisibleInvoice_IsUnchanged_AndTheFileIsPdf17WithAnId()
    {
        var (_, fx) = await Domestic.Value;

        Assert.Contains($"Invoice {Number}", fx.Text, StringComparison.Ordinal);
        Assert.Equal("%PDF-1.7", Encoding.ASCII.GetString(fx.Pdf, 0, 8));
        Assert.Equal(2, fx.Trailer["/ID"]!.AsArray().Count);
        Assert.Contains("No syntax or stream encoding errors", fx.Check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSameInput_GivesTheSameBytes_AndAPdfWithoutInfoGetsOne()
    {
        var cii = EInvoiceFormats.Write(EInvoiceSamples.Document("credit-note"), "cii").Content;
        var pdf = FacturXInspection.MinimalPdf("Credit note SCAI-CN-2026-000001", withInfo: false);
        var metadata = new FacturXMetadata("SCAI-CN-2026-000001", EInvoiceSamples.IssueDate, "Credit note SCAI-CN-2026-000001");

        var first = await Writer().WriteAsync(pdf, cii, metadata);
        var second = await Writer().WriteAsync(pdf, cii, metadata);

        Assert.Equal(SHA256.HashData(first), SHA256.HashData(second));
        var fx = await FacturXInspection.InspectAsync(first);
        Assert.Equal("u:Credit note SCAI-CN-2026-000001", fx.Value(fx.Trailer["/Info"])["/Title"]!.GetValue<string>());
        Assert.Equal(cii, Assert.Single(fx.Attachments));
    }

    [Fact]
    public async Task WithoutQpdf_TheWriterSaysWhy()
    {
        var writer = Writer("/nonexistent/qpdf");

        Assert.Contains("/nonexistent/qpdf", writer.UnavailableReason, StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<EInvoiceUnavailableException>(() => writer.WriteAsync([], [], Metadata));
        Assert.Contains("qpdf was not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotAPdf_IsAClearFailure()
    {
        var error = await Assert.ThrowsAsync<EInvoiceUnavailableException>(() => Writer().WriteAsync(Encoding.ASCII.GetBytes("not a pdf"), [1], Metadata));

        Assert.Contains("qpdf failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheIccProfile_HasAValidV2DisplayHeaderAndTagTable()
    {
        var icc = SrgbIccProfile.Bytes;

        Assert.Equal((uint)icc.Length, BinaryPrimitives.ReadUInt32BigEndian(icc));
        Assert.Equal(0x02100000u, BinaryPrimitives.ReadUInt32BigEndian(icc.AsSpan(8)));
        Assert.Equal("mntr", Encoding.ASCII.GetString(icc, 12, 4));
        Assert.Equal("RGB ", Encoding.ASCII.GetString(icc, 16, 4));
        Assert.Equal("XYZ ", Encoding.ASCII.GetString(icc, 20, 4));
        Assert.Equal("acsp", Encoding.ASCII.GetString(icc, 36, 4));
        var count = (int)BinaryPrimitives.ReadUInt32BigEndian(icc.AsSpan(128));
        var tags = Enumerable.Range(0, count).Select(i =>
        {
            var entry = icc.AsSpan(132 + (12 * i));
            var offset = (int)BinaryPrimitives.ReadUInt32BigEndian(entry[4..]);
            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(entry[8..]);
            Assert.True(offset % 4 == 0 && offset + size <= icc.Length, "tag inside the profile, 4-byte aligned");
            return (Signature: Encoding.ASCII.GetString(entry[..4]), Type: Encoding.ASCII.GetString(icc, offset, 4));
        }).ToDictionary(t => t.Signature, t => t.Type);
        Assert.Equal("desc", tags["desc"]);
        Assert.Equal("text", tags["cprt"]);
        Assert.Equal("XYZ ", tags["wtpt"]);
        Assert.All(new[] { "rXYZ", "gXYZ", "bXYZ" }, t => Assert.Equal("XYZ ", tags[t]));
        Assert.All(new[] { "rTRC", "gTRC", "bTRC" }, t => Assert.Equal("curv", tags[t]));
    }
}
