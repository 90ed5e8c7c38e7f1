using System.Text;
using System.Xml;
using System.Xml.Linq;
using ScaiControl.Infrastructure.Invoicing.EInvoicing;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// The shape of our documents against the official examples: root element, namespaces, and the order of child
/// elements (the schemas fix it; the examples pass them) for every element path both contain. Also well-formedness,
/// encoding and byte stability.
/// </summary>
public sealed class StructureTests
{
    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void RootElement_IsTheOneOfTheOfficialExample(string sample)
    {
        var ours = EInvoiceSamples.View(sample).Xml.Root!.Name;
        var theirs = OfficialExamples.Load(OfficialExamples.For(sample)[0]).Root!.Name;

        Assert.Equal(theirs, ours);
    }

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void RootElement_MatchesDocumentType(string sample)
    {
        var (name, format) = EInvoiceSamples.Split(sample);
        var root = EInvoiceSamples.View(sample).Xml.Root!.Name;
        var creditNote = EInvoiceSamples.Document(name).TypeCode == EInvoiceTypeCode.CreditNote;
        XName expected = format.EndsWith("cii", StringComparison.Ordinal)
            ? CiiWriter.Rsm + "CrossIndustryInvoice"
            : creditNote ? UblWriter.CreditNoteNs + "CreditNote" : UblWriter.InvoiceNs + "Invoice";

        Assert.Equal(expected, root);
        Assert.Equal(creditNote ? "381" : "380", EInvoiceSamples.View(sample).Value("BT-3"));
    }

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void Namespaces_AreThoseOfTheOfficialExample(string sample)
    {
        var ours = EInvoiceSamples.View(sample).Xml;
        var theirs = OfficialExamples.For(sample).Select(OfficialExamples.Load).ToArray();
        var theirNamespaces = theirs.SelectMany(x => x.Descendants()).Select(e => e.Name.Namespace).Concat(theirs.SelectMany(x => x.Root!.Attributes().Where(a => a.IsNamespaceDeclaration).Select(a => XNamespace.Get(a.Value)))).ToHashSet();

        var used = ours.Descendants().Select(e => e.Name.Namespace).Distinct().ToArray();
        Assert.All(used, ns => Assert.Contains(ns, theirNamespaces));
        // Every prefix we declare is bound to the URI the examples bind it to.
        foreach (var declaration in ours.Root!.Attributes().Where(a => a.IsNamespaceDeclaration && a.Name.Namespace == XNamespace.Xmlns))
        {
            var prefix = declaration.Name.LocalName;
            var bound = theirs.SelectMany(x => x.Root!.Attributes()).Where(a => a.IsNamespaceDeclaration && a.Name.LocalName == prefix && a.Name.Namespace == XNamespace.Xmlns).Select(a => a.Value).Distinct().ToArray();
            Assert.All(bound, uri => Assert.Equal(uri, declaration.Value));
        }
    }

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void TopLevelChildren_FollowTheOrderOfTheOfficialExample(string sample)
    {
        var ours = EInvoiceSamples.View(sample).Xml.Root!;
        foreach (var example in OfficialExamples.For(sample))
        {
            var theirs = OfficialExamples.Load(example).Root!;
            var (a, b) = CommonOrder(ours, theirs);
            Assert.True(a.SequenceEqual(b), $"{sample} vs {example}: ours [{string.Join(", ", a)}], example [{string.Join(", ", b)}]");
        }
    }

    /// <summary>The same, at every depth: for each element path in our document that the example also has, the
    /// children both contain come in the same order.</summary>
    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void ChildrenAtEveryDepth_FollowTheOrderOfTheOfficialExamples(string sample)
    {
        var ours = EInvoiceSamples.View(sample).Xml.Root!;
        var compared = 0;
        foreach (var example in OfficialExamples.For(sample))
        {
            var theirs = OfficialExamples.Load(example).Root!;
            var theirIndex = theirs.DescendantsAndSelf().GroupBy(PathOf).ToDictionary(g => g.Key, g => g.First());
            foreach (var element in ours.DescendantsAndSelf().Where(e => e.HasElements))
            {
                if (!theirIndex.TryGetValue(PathOf(element), out var counterpart))
                {
                    continue;
                }

                var (a, b) = CommonOrder(element, counterpart);
                compared += a.Count > 1 ? 1 : 0;
                Assert.True(a.SequenceEqual(b), $"{sample} vs {example} at {PathOf(element)}: ours [{string.Join(", ", a)}], example [{string.Join(", ", b)}]");
            }
        }

        Assert.True(compared >= 5, $"{sample}: only {compared} element orders could be compared");
    }

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void Output_IsWellFormedUtf8WithDeclarationAndNoByteOrderMark(string sample)
    {
        var (name, format) = EInvoiceSamples.Split(sample);
        var bytes = EInvoiceFormats.Write(EInvoiceSamples.Document(name), format).Content;

        Assert.False(bytes is [0xEF, 0xBB, 0xBF, ..], "UTF-8 byte order mark");
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", Encoding.UTF8.GetString(bytes), StringComparison.OrdinalIgnoreCase);
        using var reader = XmlReader.Create(new MemoryStream(bytes), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        while (reader.Read())
        {
        }

        Assert.DoesNotContain((byte)'\r', bytes);
    }

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void Output_IsByteStable(string sample)
    {
        var (name, format) = EInvoiceSamples.Split(sample);
        var first = EInvoiceFormats.Write(EInvoiceSamples.Document(name), format).Content;
        var second = EInvoiceFormats.Write(EInvoiceSamples.Document(name), format).Content;

        Assert.Equal(first, second);
    }

    [Fact]
    public void SameInvoiceFinalisedTwice_GivesTheSameBytes()
    {
        var one = EInvoiceDocument.From(EInvoiceSamples.FinalisedInvoice(EInvoiceSamples.GermanBuyer), EInvoiceSamples.Context);
        var two = EInvoiceDocument.From(EInvoiceSamples.FinalisedInvoice(EInvoiceSamples.GermanBuyer), EInvoiceSamples.Context);

        foreach (var format in EInvoiceFormats.Xml)
        {
            Assert.Equal(EInvoiceFormats.Write(one, format).Content, EInvoiceFormats.Write(two, format).Content);
        }
    }

    private static string PathOf(XElement element) =>
        string.Join("/", element.AncestorsAndSelf().Reverse().Select((e, i) => i == 0 ? "ROOT" : e.Name.LocalName));

    // Child names in first-occurrence order, restricted to the names both elements have.
    private static (List<string> Ours, List<string> Theirs) CommonOrder(XElement ours, XElement theirs)
    {
        var a = ours.Elements().Select(e => e.Name.LocalName).Distinct().ToList();
        var b = theirs.Elements().Select(e => e.Name.LocalName).Distinct().ToList();
        return (a.Where(b.Contains).ToList(), b.Where(a.Contains).ToList());
    }
}
