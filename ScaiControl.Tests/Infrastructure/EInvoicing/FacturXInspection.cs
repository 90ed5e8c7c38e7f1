using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// Reads a Factur-X PDF back with independent tools only: qpdf --json (JSON v2, stream data inline), qpdf --check,
/// pdfdetach (poppler-utils) and pdftotext. Nothing here uses the writer's code.
/// </summary>
internal sealed class FacturXInspection
{
    private readonly JsonObject objects;

    private FacturXInspection(byte[] pdf, JsonObject objects, string check, string detachList, byte[][] attachments, string text)
    {
        Pdf = pdf;
        this.objects = objects;
        Check = check;
        DetachList = detachList;
        Attachments = attachments;
        Text = text;
    }

    public byte[] Pdf { get; }

    /// <summary>qpdf --check output (it passed, or Inspect threw).</summary>
    public string Check { get; }

    /// <summary>pdfdetach -list output.</summary>
    public string DetachList { get; }

    /// <summary>The embedded files as pdfdetach -saveall wrote them, by index.</summary>
    public byte[][] Attachments { get; }

    /// <summary>pdftotext of the whole document.</summary>
    public string Text { get; }

    public JsonObject Trailer => objects["trailer"]!["value"]!.AsObject();

    public JsonObject Catalog => Value(Trailer["/Root"]);

    /// <summary>The dictionary of an object given as "N 0 R" (stream dictionaries too), or a direct dictionary.</summary>
    public JsonObject Value(JsonNode? node)
    {
        if (node is JsonObject direct)
        {
            return direct;
        }

        var entry = objects[$"obj:{node!.GetValue<string>()}"]!;
        return (entry["value"] ?? entry["stream"]!["dict"])!.AsObject();
    }

    /// <summary>The decoded data of a stream object ("N 0 R"); qpdf decodes what it can.</summary>
    public byte[] StreamData(JsonNode? reference) =>
        Convert.FromBase64String(objects[$"obj:{reference!.GetValue<string>()}"]!["stream"]!["data"]!.GetValue<string>());

    public XDocument Xmp => XDocument.Parse(Encoding.UTF8.GetString(StreamData(Catalog["/Metadata"])).TrimStart('\uFEFF'));

    public static async Task<FacturXInspection> InspectAsync(byte[] pdf)
    {
        var dir = Directory.CreateTempSubdirectory("scai-fx-inspect-");
        try
        {
            var file = Path.Combine(dir.FullName, "in.pdf");
            await File.WriteAllBytesAsync(file, pdf);
            var (checkCode, check) = await RunAsync("qpdf", "--check", file);
            Assert.True(checkCode == 0, $"qpdf --check failed ({checkCode}): {check}");
            var (_, json) = await RunAsync("qpdf", "--json-output", "--json-stream-data=inline", "--decode-level=generalized", file, "-");
            var objects = JsonNode.Parse(json)!["qpdf"]![1]!.AsObject();
            var (_, list) = await RunAsync("pdfdetach", "-list", file);
            var saved = Path.Combine(dir.FullName, "saved");
            Directory.CreateDirectory(saved);
            var count = list.Split('\n').Count(l => l.Length > 0 && char.IsDigit(l[0]) && l.Contains(": ", StringComparison.Ordinal));
            var attachments = new List<byte[]>();
            for (var i = 1; i <= count; i++)
            {
                var target = Path.Combine(saved, i.ToString(CultureInfo.InvariantCulture));
                await RunAsync("pdfdetach", "-save", i.ToString(CultureInfo.InvariantCulture), "-o", target, file);
                attachments.Add(await File.ReadAllBytesAsync(target));
            }

            var (_, text) = await RunAsync("pdftotext", "-layout", file, "-");
            return new FacturXInspection(pdf, objects, check, list, [.. attachments], text);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Runs a tool; asserts it exits 0 unless told otherwise, returns its exit code and stdout (+ stderr).</summary>
    public static async Task<(int Code, string Output)> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        var errors = await stderr;
        Assert.True(process.ExitCode == 0 || tool == "qpdf", $"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors}");
        return (process.ExitCode, output + errors);
    }

    /// <summary>A one-page PDF 1.4 with Helvetica text and a correct xref table, like a small Chromium print.</summary>
    public static byte[] MinimalPdf(string text, bool withInfo = true)
    {
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        };
        var content = $"BT /F1 14 Tf 72 770 Td ({text}) Tj ET";
        objects.Add($"<< /Length {content.Length} >>\nstream\n{content}\nendstream");
        if (withInfo)
        {
            objects.Add($"<< /Title ({text}) /Producer (test) /CreationDate (D:20260101120000Z) >>");
        }

        var pdf = new StringBuilder("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(Encoding.Latin1.GetByteCount(pdf.ToString()));
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = Encoding.Latin1.GetByteCount(pdf.ToString());
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R{(withInfo ? " /Info 6 0 R" : string.Empty)} >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(pdf.ToString());
    }
}
