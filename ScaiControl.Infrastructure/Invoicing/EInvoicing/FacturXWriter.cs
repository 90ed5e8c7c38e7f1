using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;

namespace ScaiControl.Infrastructure.Invoicing.EInvoicing;

/// <summary>FacturX:QpdfPath: the qpdf command-line tool (default /usr/bin/qpdf, Debian's qpdf package, Apache-2.0).</summary>
public sealed class FacturXOptions
{
    /// <summary>Full path of the qpdf executable (qpdf 11 or later: JSON v2 and --update-from-json).</summary>
    public string QpdfPath { get; set; } = "/usr/bin/qpdf";
}

/// <summary>What the Factur-X PDF says about itself: document info and XMP (title, dates) and the Factur-X profile.</summary>
/// <param name="InvoiceNumber">BT-1, used in the attachment's description.</param>
/// <param name="IssueDate">BT-2; the PDF's creation and modification dates (midnight UTC), so the output is byte-stable.</param>
/// <param name="Title">dc:title and the document info /Title.</param>
/// <param name="ConformanceLevel">fx:ConformanceLevel; "EN 16931" (the profile of the CII we embed).</param>
public sealed record FacturXMetadata(string InvoiceNumber, DateOnly IssueDate, string Title, string ConformanceLevel = "EN 16931");

/// <summary>The Factur-X PDF cannot be produced on this machine now (HTTP 503): qpdf is missing or failed, or the invoice PDF is not rendered yet.</summary>
/// <param name="title">A short title for the problem response.</param>
/// <param name="reason">Plain words for the user.</param>
/// <param name="retryAfterSeconds">When a retry may succeed without anyone acting (the PDF is still rendering), else null.</param>
public sealed class EInvoiceUnavailableException(string title, string reason, int? retryAfterSeconds = null) : Exception(reason)
{
    /// <summary>A short title for the problem response.</summary>
    public string Title { get; } = title;

    /// <summary>Seconds after which a retry may succeed, for a Retry-After header; null when someone has to act first.</summary>
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>
/// Turns the invoice PDF (rendered by Chromium) and its EN 16931 CII XML into a ZUGFeRD 2.x / Factur-X 1.0 hybrid
/// invoice: a PDF/A-3 (part 3, conformance B) with the XML embedded as "factur-x.xml". Post-processing runs the qpdf
/// CLI as a child process in a private temp directory, in three steps:
/// <list type="number">
/// <item>qpdf --add-attachment: the embedded file stream (/Subtype text/xml, /Params with /CreationDate, /ModDate,
/// /Size, /CheckSum), its /Filespec with /F and /UF "factur-x.xml", and the catalog's /Names /EmbeddedFiles tree;</item>
/// <item>qpdf --json-output (JSON v2) to find the catalog, the document info and the file specification;</item>
/// <item>qpdf --update-from-json: /AFRelationship /Data on the file specification, the catalog's /AF array, the XMP
/// /Metadata stream (pdfaid, dc, xmp, pdf and the fx: Factur-X properties with their PDF/A extension schema), an
/// /OutputIntents entry (GTS_PDFA1) with an sRGB ICC profile (<see cref="SrgbIccProfile"/>), and a document info
/// dictionary matching the XMP; written as PDF 1.7 with a deterministic /ID.</item>
/// </list>
/// The page content is not touched. Same input, same output bytes. PDF/A conformance of the page content itself
/// (fonts, transparency, colour spaces) is Chromium's and is not validated here (no veraPDF on these machines).
/// </summary>
public sealed class FacturXWriter(FacturXOptions options)
{
    /// <summary>The attachment's file name, fixed by Factur-X 1.0 and ZUGFeRD 2.x.</summary>
    public const string AttachmentName = "factur-x.xml";

    /// <summary>The XMP namespace of the Factur-X properties.</summary>
    public const string FxNamespace = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

    /// <summary>The file specification's /AFRelationship (Factur-X 1.07 § 6.2.2 also allows Alternative, Source, Supplement, Unspecified).</summary>
    public const string AfRelationship = "Data";

    private const string Creator = "ScaiControl";
    private const string Producer = "ScaiControl Factur-X writer (qpdf)";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Null when qpdf is installed, else why Factur-X cannot be written here.</summary>
    public string? UnavailableReason => File.Exists(options.QpdfPath)
        ? null
        : $"Factur-X export is not available: qpdf was not found at {options.QpdfPath}. Install Debian's qpdf package (scripts/run.sh does).";

    /// <summary>The Factur-X PDF for <paramref name="pdf"/> with <paramref name="ciiXml"/> embedded.</summary>
    /// <exception cref="EInvoiceUnavailableException">qpdf is missing, or it failed on this input.</exception>
    public async Task<byte[]> WriteAsync(byte[] pdf, byte[] ciiXml, FacturXMetadata metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        ArgumentNullException.ThrowIfNull(ciiXml);
        ArgumentNullException.ThrowIfNull(metadata);
        if (UnavailableReason is { } reason)
        {
            throw new EInvoiceUnavailableException("Factur-X unavailable", reason);
        }

        var dir = Directory.CreateTempSubdirectory("scai-facturx-");
        try
        {
            var input = Path.Combine(dir.FullName, "invoice.pdf");
            var xml = Path.Combine(dir.FullName, AttachmentName);
            var attached = Path.Combine(dir.FullName, "attached.pdf");
            var json = Path.Combine(dir.FullName, "attached.json");
            var update = Path.Combine(dir.FullName, "update.json");
            var xmp = Path.Combine(dir.FullName, "metadata.xmp");
            var icc = Path.Combine(dir.FullName, "srgb.icc");
            var output = Path.Combine(dir.FullName, "facturx.pdf");
            await File.WriteAllBytesAsync(input, pdf, ct);
            await File.WriteAllBytesAsync(xml, ciiXml, ct);
            await File.WriteAllBytesAsync(xmp, Xmp(metadata), ct);
            await File.WriteAllBytesAsync(icc, SrgbIccProfile.Bytes, ct);

            var date = PdfDate(metadata.IssueDate);
            await QpdfAsync(ct, input, "--add-attachment", xml, $"--key={AttachmentName}", $"--filename={AttachmentName}", "--mimetype=text/xml",
                $"--description=Factur-X invoice {metadata.InvoiceNumber} (EN 16931 CII)", $"--creationdate={date}", $"--moddate={date}", "--replace", "--", "--deterministic-id",
                attached);
            await QpdfAsync(ct, "--json-output", "--json-stream-data=none", attached, json);
            var updateJson = UpdateJson(JsonNode.Parse(await File.ReadAllTextAsync(json, ct))!, metadata, xmp, icc);
            await File.WriteAllTextAsync(update, updateJson.ToJsonString(), ct);
            await QpdfAsync(ct, attached, $"--update-from-json={update}", "--deterministic-id", "--min-version=1.7", output);
            return await File.ReadAllBytesAsync(output, ct);
        }
        finally
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }

    /// <summary>The qpdf JSON v2 update: changed catalog, file specification and info, plus the new objects.</summary>
    private static JsonObject UpdateJson(JsonNode dump, FacturXMetadata metadata, string xmpFile, string iccFile)
    {
        var header = dump["qpdf"]![0]!;
        var objects = dump["qpdf"]![1]!.AsObject();
        var nextId = header["maxobjectid"]!.GetValue<int>() + 1;
        JsonNode Resolve(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var r) && r.EndsWith(" R", StringComparison.Ordinal)
            ? objects[$"obj:{r}"]!["value"]!
            : node ?? throw new InvalidDataException("qpdf JSON: missing object.");

        var trailer = objects["trailer"]!["value"]!.AsObject();
        var rootRef = trailer["/Root"]!.GetValue<string>();
        var catalog = objects[$"obj:{rootRef}"]!["value"]!.DeepClone().AsObject();
        var tree = Resolve(Resolve(catalog["/Names"])["/EmbeddedFiles"]);
        var names = tree["/Names"]?.AsArray() ?? throw new InvalidDataException("qpdf JSON: the embedded file name tree has no /Names array.");
        string? filespecRef = null;
        for (var i = 0; i + 1 < names.Count; i += 2)
        {
            if (names[i]!.GetValue<string>() == $"u:{AttachmentName}")
            {
                filespecRef = names[i + 1]!.GetValue<string>();
            }
        }

        if (filespecRef is null || !filespecRef.EndsWith(" R", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"qpdf JSON: no indirect file specification named {AttachmentName}.");
        }

        var filespec = objects[$"obj:{filespecRef}"]!["value"]!.DeepClone().AsObject();
        filespec["/AFRelationship"] = $"/{AfRelationship}";

        string NewRef() => $"{nextId++} 0 R";
        var metadataRef = NewRef();
        var iccRef = NewRef();
        var intentRef = NewRef();
        var infoRef = trailer["/Info"]?.GetValue<string>() ?? NewRef();

        catalog["/AF"] = new JsonArray(filespecRef);
        catalog["/Metadata"] = metadataRef;
        catalog["/OutputIntents"] = new JsonArray(intentRef);

        var date = PdfDate(metadata.IssueDate);
        var info = new JsonObject
        {
            ["/Title"] = $"u:{metadata.Title}",
            ["/Creator"] = $"u:{Creator}",
            ["/Producer"] = $"u:{Producer}",
            ["/CreationDate"] = $"u:{date}",
            ["/ModDate"] = $"u:{date}",
        };
        var newTrailer = trailer.DeepClone().AsObject();
        newTrailer["/Info"] = infoRef;

        var update = new JsonObject
        {
            [$"obj:{rootRef}"] = new JsonObject { ["value"] = catalog },
            [$"obj:{filespecRef}"] = new JsonObject { ["value"] = filespec },
            [$"obj:{infoRef}"] = new JsonObject { ["value"] = info },
            [$"obj:{metadataRef}"] = new JsonObject
            {
                ["stream"] = new JsonObject { ["dict"] = new JsonObject { ["/Type"] = "/Metadata", ["/Subtype"] = "/XML" }, ["datafile"] = xmpFile },
            },
            [$"obj:{iccRef}"] = new JsonObject
            {
                ["stream"] = new JsonObject { ["dict"] = new JsonObject { ["/N"] = 3, ["/Alternate"] = "/DeviceRGB" }, ["datafile"] = iccFile },
            },
            [$"obj:{intentRef}"] = new JsonObject
            {
                ["value"] = new JsonObject
                {
                    ["/Type"] = "/OutputIntent",
                    ["/S"] = "/GTS_PDFA1",
                    ["/OutputConditionIdentifier"] = $"u:{SrgbIccProfile.Description}",
                    ["/Info"] = $"u:{SrgbIccProfile.Description}",
                    ["/RegistryName"] = "u:http://www.color.org",
                    ["/DestOutputProfile"] = iccRef,
                },
            },
            ["trailer"] = new JsonObject { ["value"] = newTrailer },
        };
        return new JsonObject
        {
            ["qpdf"] = new JsonArray(
                new JsonObject { ["jsonversion"] = 2, ["pushedinheritedpageresources"] = false, ["calledgetallpages"] = false, ["maxobjectid"] = nextId - 1 },
                update),
        };
    }

    /// <summary>
    /// The XMP packet: PDF/A identification (part 3, conformance B), dc:title, the dates, tool and producer mirroring the
    /// document info, the Factur-X properties, and the PDF/A extension schema that declares them (Factur-X 1.0, § on
    /// the XMP extension schema).
    /// </summary>
    internal static byte[] Xmp(FacturXMetadata metadata)
    {
        XNamespace x = "adobe:ns:meta/";
        XNamespace rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
        XNamespace pdfaid = "http://www.aiim.org/pdfa/ns/id/";
        XNamespace dc = "http://purl.org/dc/elements/1.1/";
        XNamespace xmp = "http://ns.adobe.com/xap/1.0/";
        XNamespace pdf = "http://ns.adobe.com/pdf/1.3/";
        XNamespace ext = "http://www.aiim.org/pdfa/ns/extension/";
        XNamespace schema = "http://www.aiim.org/pdfa/ns/schema#";
        XNamespace property = "http://www.aiim.org/pdfa/ns/property#";
        XNamespace fx = FxNamespace;
        XNamespace xml = XNamespace.Xml;
        var date = metadata.IssueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00+00:00";

        XElement Description(XNamespace ns, string prefix, params object[] content) =>
            new(rdf + "Description", new XAttribute(rdf + "about", string.Empty), new XAttribute(XNamespace.Xmlns + prefix, ns), content);
        XElement Property(string name, string description) => new(rdf + "li", new XAttribute(rdf + "parseType", "Resource"),
            new XElement(property + "name", name),
            new XElement(property + "valueType", "Text"),
            new XElement(property + "category", "external"),
            new XElement(property + "description", description));

        var rdfRoot = new XElement(rdf + "RDF", new XAttribute(XNamespace.Xmlns + "rdf", rdf),
            Description(pdfaid, "pdfaid", new XElement(pdfaid + "part", "3"), new XElement(pdfaid + "conformance", "B")),
            Description(dc, "dc",
                new XElement(dc + "title", new XElement(rdf + "Alt", new XElement(rdf + "li", new XAttribute(xml + "lang", "x-default"), metadata.Title))),
                new XElement(dc + "description", new XElement(rdf + "Alt", new XElement(rdf + "li", new XAttribute(xml + "lang", "x-default"),
                    $"Invoice {metadata.InvoiceNumber} with its EN 16931 CII XML embedded as {AttachmentName}")))),
            Description(xmp, "xmp",
                new XElement(xmp + "CreatorTool", Creator),
                new XElement(xmp + "CreateDate", date),
                new XElement(xmp + "ModifyDate", date)),
            Description(pdf, "pdf", new XElement(pdf + "Producer", Producer)),
            Description(fx, "fx",
                new XElement(fx + "DocumentType", "INVOICE"),
                new XElement(fx + "DocumentFileName", AttachmentName),
                new XElement(fx + "Version", "1.0"),
                new XElement(fx + "ConformanceLevel", metadata.ConformanceLevel)),
            new XElement(rdf + "Description", new XAttribute(rdf + "about", string.Empty),
                new XAttribute(XNamespace.Xmlns + "pdfaExtension", ext), new XAttribute(XNamespace.Xmlns + "pdfaSchema", schema),
                new XAttribute(XNamespace.Xmlns + "pdfaProperty", property),
                new XElement(ext + "schemas", new XElement(rdf + "Bag", new XElement(rdf + "li", new XAttribute(rdf + "parseType", "Resource"),
                    new XElement(schema + "schema", "Factur-X PDFA Extension Schema"),
                    new XElement(schema + "namespaceURI", FxNamespace),
                    new XElement(schema + "prefix", "fx"),
                    new XElement(schema + "property", new XElement(rdf + "Seq",
                        Property("DocumentFileName", "The name of the embedded XML document"),
                        Property("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
                        Property("Version", "The actual version of the standard applying to the embedded XML document"),
                        Property("ConformanceLevel", "The conformance level of the embedded XML document"))))))));

        var document = new XDocument(
            new XProcessingInstruction("xpacket", "begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\""),
            new XElement(x + "xmpmeta", new XAttribute(XNamespace.Xmlns + "x", x), rdfRoot),
            new XProcessingInstruction("xpacket", "end=\"w\""));
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            OmitXmlDeclaration = true,
            Indent = true,
            IndentChars = " ",
            NewLineChars = "\n",
        };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings))
        {
            document.Save(writer);
        }

        return stream.ToArray();
    }

    private static string PdfDate(DateOnly date) => $"D:{date.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}000000+00'00'";

    private async Task QpdfAsync(CancellationToken ct, params string[] arguments)
    {
        var start = new ProcessStartInfo(options.QpdfPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        using var process = Process.Start(start) ?? throw new EInvoiceUnavailableException("Factur-X unavailable", $"qpdf could not be started from {options.QpdfPath}.");
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested)
            {
                throw;
            }

            throw new EInvoiceUnavailableException("Factur-X failed", $"qpdf did not finish within {Timeout.TotalSeconds:0} s.");
        }

        await stdout;
        var errors = (await stderr).Trim();

        // qpdf exits 0 on success, 3 when it wrote the output with warnings, 2 on errors.
        if (process.ExitCode is not (0 or 3))
        {
            throw new EInvoiceUnavailableException("Factur-X failed", $"qpdf failed (exit {process.ExitCode}): {errors}");
        }
    }
}
