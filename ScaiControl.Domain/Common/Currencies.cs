namespace ScaiControl.Domain.Common;

/// <summary>
/// The ISO 4217 currencies the platform prices in, with their minor-unit digits (ISO 4217 "minor unit" column).
/// </summary>
public static class Currencies
{
    private static readonly Dictionary<string, int> Known = new(StringComparer.Ordinal)
    {
        ["EUR"] = 2, ["USD"] = 2, ["GBP"] = 2, ["CHF"] = 2, ["SEK"] = 2, ["NOK"] = 2, ["DKK"] = 2, ["PLN"] = 2,
        ["CZK"] = 2, ["HUF"] = 2, ["RON"] = 2, ["BGN"] = 2, ["ISK"] = 0, ["JPY"] = 0, ["CAD"] = 2, ["AUD"] = 2,
    };

    /// <summary>All supported codes, sorted.</summary>
    public static IReadOnlyList<string> All { get; } = Known.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>True when <paramref name="code"/> is a supported upper-case ISO 4217 code.</summary>
    public static bool IsKnown(string? code) => code is not null && Known.ContainsKey(code);

    /// <summary>Returns the code unchanged when known.</summary>
    /// <exception cref="DomainValidationException">Unknown or lower-case code.</exception>
    public static string Require(string? code) =>
        IsKnown(code) ? code! : throw new DomainValidationException("currency", $"'{code}' is not a supported ISO 4217 currency code.");

    /// <summary>The number of minor-unit digits of a known currency (2 for EUR).</summary>
    public static int MinorDigits(string code) => Known.TryGetValue(code, out var d) ? d : 2;
}
