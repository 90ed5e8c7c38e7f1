namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>Runs one rule of <see cref="En16931Rules"/> on one written sample ("case/format").</summary>
internal static class RuleAssert
{
    public static void Holds(string sample, Func<EInvoiceView, IEnumerable<string>> rule)
    {
        var violations = rule(EInvoiceSamples.View(sample)).ToArray();
        Assert.True(violations.Length == 0, $"{sample}: {string.Join("; ", violations)}");
    }

    /// <summary>As <see cref="Holds"/>, after checking the written document does have a line of <paramref name="category"/>,
    /// so a category rule can never pass only because the category went missing.</summary>
    public static void HoldsWithCategory(string sample, string category, Func<EInvoiceView, IEnumerable<string>> rule)
    {
        Assert.Contains(category, EInvoiceSamples.View(sample).LineCategories);
        Holds(sample, rule);
    }
}
