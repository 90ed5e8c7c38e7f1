using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Templates;

namespace ScaiControl.Tests.Domain.Templates;

/// <summary>
/// Which template renders a document: the partner's override through the language chain (de-AT → de → en), then the
/// platform default through the chain, then the built-in one (null); the highest published version of a key wins.
/// </summary>
public sealed class TemplateResolutionTests
{
    private const string Nordic = "ptr_NORDIC";
    private const string Other = "ptr_OTHER";

    /// <summary>
    /// The stored versions, by a short label: "owner:language:version" with owner "P" (Nordic), "O" (another partner)
    /// or "-" (platform default). All are published invoice templates named "invoice" unless the label says otherwise.
    /// </summary>
    private static TemplateCandidate C(string label, DocumentType type = DocumentType.Invoice, string name = InvoiceTemplate.InvoiceName)
    {
        var parts = label.Split(':');
        var partner = parts[0] switch { "P" => Nordic, "O" => Other, _ => null };
        return new TemplateCandidate(label + (type == DocumentType.CreditNote ? ":cn" : string.Empty) + (name == InvoiceTemplate.InvoiceName ? string.Empty : ":" + name),
            name, type, parts[1], partner, int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static TheoryData<string, string?, string?, string[], string?> Cases => new()
    {
        // description, partner, language, stored (labels), expected label (null = built-in)
        { "nothing stored: built-in", Nordic, "de-AT", [], null },
        { "exact partner language", Nordic, "de-AT", ["P:de-AT:1", "P:de:1", "P:en:1", "-:de-AT:1"], "P:de-AT:1" },
        { "partner parent language", Nordic, "de-AT", ["P:de:1", "P:en:1", "-:de-AT:1"], "P:de:1" },
        { "partner English beats platform in the buyer's language", Nordic, "de-AT", ["P:en:1", "-:de-AT:1", "-:de:1"], "P:en:1" },
        { "no partner override: platform exact", Nordic, "de-AT", ["-:de-AT:1", "-:de:1", "-:en:1"], "-:de-AT:1" },
        { "no partner override: platform parent", Nordic, "de-AT", ["-:de:1", "-:en:1"], "-:de:1" },
        { "no partner override: platform English", Nordic, "de-AT", ["-:en:1", "-:fr:1"], "-:en:1" },
        { "another partner's override never applies", Nordic, "de", ["O:de:1", "-:en:1"], "-:en:1" },
        { "only another partner's override: built-in", Nordic, "de", ["O:de:1"], null },
        { "unrelated language only: built-in", Nordic, "de-AT", ["P:fr:1", "-:sv:1"], null },
        { "highest version of the key wins", Nordic, "de", ["P:de:1", "P:de:3", "P:de:2"], "P:de:3" },
        { "a newer version in a worse language does not win", Nordic, "de", ["P:de:1", "P:en:9"], "P:de:1" },
        { "no language given means English", Nordic, null, ["P:de:1", "-:en:1"], "-:en:1" },
        { "language case does not matter", Nordic, "DE-at", ["P:de-AT:1"], "P:de-AT:1" },
        { "three-level tag walks every parent", Nordic, "zh-Hant-TW", ["-:zh:1", "-:en:1"], "-:zh:1" },
        { "English variant falls back to en", Nordic, "en-GB", ["-:en:2", "-:en:1"], "-:en:2" },
        { "platform document without a partner", null, "de-AT", ["P:de-AT:1", "-:de:1"], "-:de:1" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pick_FollowsTheDocumentedOrder(string description, string? partner, string? language, string[] stored, string? expected)
    {
        var picked = TemplateResolution.Pick(stored.Select(s => C(s)), InvoiceTemplate.InvoiceName, DocumentType.Invoice, partner, language);

        Assert.True(expected == picked?.Id, $"{description}: expected {expected ?? "built-in"}, got {picked?.Id ?? "built-in"}");
    }

    [Fact]
    public void Pick_OnlyConsidersTheDocumentTypeAndName()
    {
        TemplateCandidate[] stored = [C("P:en:1", DocumentType.CreditNote), C("P:en:2", name: "invoice-sent"), C("-:en:1")];

        Assert.Equal("-:en:1", TemplateResolution.Pick(stored, InvoiceTemplate.InvoiceName, DocumentType.Invoice, Nordic, "en")!.Id);
        Assert.Equal("P:en:1:cn", TemplateResolution.Pick(stored, InvoiceTemplate.InvoiceName, DocumentType.CreditNote, Nordic, "en")!.Id);
    }

    [Fact]
    public void Order_IsPartnerChainThenPlatformChain()
    {
        Assert.Equal(
            [(Nordic, "de-AT"), (Nordic, "de"), (Nordic, "en"), (null, "de-AT"), (null, "de"), (null, "en")],
            TemplateResolution.Order(Nordic, "de-AT"));
        Assert.Equal([(null, "en")], TemplateResolution.Order(null, null));
    }
}
