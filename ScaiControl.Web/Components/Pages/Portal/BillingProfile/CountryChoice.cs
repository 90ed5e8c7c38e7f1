using ScaiControl.Domain.Common;

namespace ScaiControl.Web.Components.Pages.Portal.BillingProfile;

/// <summary>A country of the ISO 3166-1 list as the billing profile form offers it: picked by name, stored by code.</summary>
public sealed record CountryChoice(string Code, string Name)
{
    private static readonly CountryChoice[] All = Countries.Codes.Select(c => new CountryChoice(c, Countries.NameOf(c)))
        .OrderBy(c => c.Name, StringComparer.Create(System.Globalization.CultureInfo.InvariantCulture, System.Globalization.CompareOptions.IgnoreCase)).ToArray();

    /// <summary>The choice for an ISO code; null for an unknown or empty one.</summary>
    public static CountryChoice? Of(string? code) => All.FirstOrDefault(c => c.Code == code);

    /// <summary>Countries whose name contains <paramref name="text"/> (names starting with it first), or all when empty.</summary>
    public static IEnumerable<CountryChoice> Search(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return All;
        }

        var t = text.Trim();
        return All.Where(c => c.Name.StartsWith(t, StringComparison.CurrentCultureIgnoreCase))
            .Concat(All.Where(c => !c.Name.StartsWith(t, StringComparison.CurrentCultureIgnoreCase) && c.Name.Contains(t, StringComparison.CurrentCultureIgnoreCase)));
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
