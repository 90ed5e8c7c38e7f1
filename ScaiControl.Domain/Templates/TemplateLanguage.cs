using System.Text.RegularExpressions;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Templates;

/// <summary>
/// BCP 47 language tags of templates (RFC 5646 shape: a 2-3 letter language, then subtags of 2-8 letters or digits)
/// in canonical case: language lower ("de"), script title ("Latn"), region upper ("AT", or digits "419"), the rest lower.
/// </summary>
public static partial class TemplateLanguage
{
    /// <summary>The language used when none is given, and the last link of every fallback chain.</summary>
    public const string Default = "en";

    /// <summary>Longest tag accepted (RFC 5646 recommends supporting at least 35 characters).</summary>
    public const int MaxLength = 35;

    /// <summary>The tag in canonical case.</summary>
    /// <exception cref="DomainValidationException">Not a well-formed tag (field <paramref name="field"/>).</exception>
    public static string Normalise(string? tag, string field = "language")
    {
        var text = tag?.Trim().Replace('_', '-');
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || !Shape().IsMatch(text))
        {
            throw new DomainValidationException(field, $"{field} must be a BCP 47 language tag such as 'de-AT', 'de' or 'en'.");
        }

        var parts = text.Split('-');
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            parts[i] = i == 0 ? p.ToLowerInvariant()
                : p.Length == 2 && p.All(char.IsAsciiLetter) ? p.ToUpperInvariant()
                : p.Length == 4 && p.All(char.IsAsciiLetter) ? char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()
                : p.ToLowerInvariant();
        }

        return string.Join('-', parts);
    }

    /// <summary>
    /// The fallback chain of a tag: the tag itself, then each parent (drop the last subtag), then "en".
    /// "de-AT" → de-AT, de, en; "zh-Hant-TW" → zh-Hant-TW, zh-Hant, zh, en; "en-GB" → en-GB, en; null → en.
    /// </summary>
    /// <exception cref="DomainValidationException">Not a well-formed tag.</exception>
    public static IReadOnlyList<string> Chain(string? tag)
    {
        var chain = new List<string>();
        if (!string.IsNullOrWhiteSpace(tag))
        {
            var parts = Normalise(tag).Split('-');
            for (var n = parts.Length; n >= 1; n--)
            {
                chain.Add(string.Join('-', parts.Take(n)));
            }
        }

        if (!chain.Contains(Default, StringComparer.Ordinal))
        {
            chain.Add(Default);
        }

        return chain;
    }

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    private static partial Regex Shape();
}
