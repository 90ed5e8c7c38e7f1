using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace ScaiControl.Infrastructure.Invoicing.EInvoicing;

/// <summary>A written e-invoice: UTF-8 XML bytes (no byte order mark), the HTTP content type and a download file name.</summary>
public sealed record EInvoiceFile(byte[] Content, string ContentType, string FileName);

/// <summary>
/// The one entry point of the e-invoice export. Formats:
/// <list type="bullet">
/// <item>"ubl": UBL 2.1 under Peppol BIS Billing 3.0 (EN 16931 compliant);</item>
/// <item>"xrechnung-ubl": UBL 2.1 under XRechnung 3.0;</item>
/// <item>"xrechnung-cii": UN/CEFACT CII D16B under XRechnung 3.0;</item>
/// <item>"cii": UN/CEFACT CII D16B under EN 16931;</item>
/// <item>"facturx": ZUGFeRD 2.x / Factur-X (EN 16931 profile), the invoice PDF with the "cii" XML embedded; a PDF, so
/// <see cref="EInvoiceService"/> writes it with <see cref="FacturXWriter"/>, not <see cref="Write"/>.</item>
/// </list>
/// Output is byte-stable: the same document gives the same bytes (no timestamps, fixed indentation and "\n" line ends).
/// </summary>
public static class EInvoiceFormats
{
    /// <summary>The Factur-X format name: a PDF/A-3 with the CII XML embedded.</summary>
    public const string FacturX = "facturx";

    /// <summary>The XML format names <see cref="Write"/> accepts.</summary>
    public static IReadOnlyList<string> Xml { get; } = ["ubl", "xrechnung-ubl", "xrechnung-cii", "cii"];

    /// <summary>Every format name the export offers: <see cref="Xml"/> and <see cref="FacturX"/>.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Xml, FacturX];

    /// <summary>Writes <paramref name="document"/> in the XML format <paramref name="format"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown or non-XML format; the message lists the allowed values.</exception>
    /// <exception cref="EInvoiceDataMissingException">The document lacks something the format requires.</exception>
    public static EInvoiceFile Write(EInvoiceDocument document, string format)
    {
        var key = format?.Trim().ToLowerInvariant();
        var (xml, suffix) = key switch
        {
            "ubl" => (UblWriter.Write(document, EInvoiceSpecification.PeppolBis3), "ubl"),
            "xrechnung-ubl" => (UblWriter.Write(document, EInvoiceSpecification.XRechnung3), "xrechnung-ubl"),
            "xrechnung-cii" => (CiiWriter.Write(document, EInvoiceSpecification.XRechnung3), "xrechnung-cii"),
            "cii" => (CiiWriter.Write(document, EInvoiceSpecification.En16931), "cii"),
            _ => throw new ArgumentException($"Unknown e-invoice format '{format}'. Allowed: {string.Join(", ", Xml)} ({FacturX} is a PDF: see FacturXWriter).", nameof(format)),
        };

        return new EInvoiceFile(Serialize(xml), "application/xml", $"{document.Number}.{suffix}.xml");
    }

    /// <summary>
    /// UTF-8 without BOM, two-space indentation, "\n" line ends, an XML declaration. Characters XML 1.0 cannot carry
    /// (C0 controls other than TAB, LF and CR, U+FFFE/U+FFFF, lone surrogates; XML 1.0 § 2.2 "Char") are dropped from
    /// every text and attribute value (<see cref="XmlSafe"/>), so a document frozen with such text still exports.
    /// </summary>
    public static byte[] Serialize(XDocument xml)
    {
        xml = new XDocument(xml);
        foreach (var text in xml.DescendantNodes().OfType<XText>())
        {
            text.Value = XmlSafe(text.Value);
        }

        foreach (var attribute in xml.Descendants().SelectMany(e => e.Attributes()))
        {
            attribute.Value = XmlSafe(attribute.Value);
        }

        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
        };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings))
        {
            xml.Save(writer);
        }

        return stream.ToArray();
    }

    /// <summary>
    /// <paramref name="value"/> without the characters XML 1.0 cannot carry (XML 1.0 § 2.2: Char ::= #x9 | #xA | #xD |
    /// [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]): U+0000, U+0007, ESC and the like are dropped, valid
    /// surrogate pairs kept. Other text (including U+202E, which XML can carry) is returned unchanged.
    /// </summary>
    public static string XmlSafe(string value)
    {
        var firstBad = -1;
        for (var i = 0; i < value.Length; i++)
        {
            if (!IsCarried(value, i, out var width))
            {
                firstBad = i;
                break;
            }

            i += width - 1;
        }

        if (firstBad < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        builder.Append(value, 0, firstBad);
        for (var i = firstBad; i < value.Length; i++)
        {
            if (IsCarried(value, i, out var width))
            {
                builder.Append(value, i, width);
                i += width - 1;
            }
        }

        return builder.ToString();
    }

    private static bool IsCarried(string value, int index, out int width)
    {
        width = 1;
        var c = value[index];
        if (char.IsHighSurrogate(c) && index + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[index + 1], c))
        {
            width = 2;
            return true;
        }

        return XmlConvert.IsXmlChar(c);
    }
}
