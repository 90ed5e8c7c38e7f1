using System.Text.RegularExpressions;

namespace ScaiControl.Domain.Common;

/// <summary>Input checks shared by the aggregates; each raises <see cref="DomainValidationException"/> naming the field.</summary>
public static partial class Guard
{
    /// <summary>
    /// Trims and requires a non-empty text of at most <paramref name="maxLength"/> characters, without control
    /// characters (line breaks and tabs only when <paramref name="multiline"/>) or bidirectional controls (see
    /// <see cref="Characters"/>).
    /// </summary>
    public static string Text(string? value, string field, int maxLength, bool multiline = false)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new DomainValidationException(field, $"{field} is required.");
        }

        Characters(trimmed, field, multiline);
        return trimmed.Length <= maxLength ? trimmed : throw new DomainValidationException(field, $"{field} must be at most {maxLength} characters.");
    }

    /// <summary>Trims an optional text; empty becomes null; otherwise as <see cref="Text"/>.</summary>
    public static string? OptionalText(string? value, string field, int maxLength, bool multiline = false)
    {
        var trimmed = value?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : Text(trimmed, field, maxLength, multiline);
    }

    /// <summary>
    /// Refuses control characters (C0, DEL, C1; CR, LF and TAB are allowed only when <paramref name="multiline"/>)
    /// and the bidirectional embedding, override and isolate controls U+202A..U+202E and U+2066..U+2069, which
    /// make a name display differently from what it is ("Trojan Source", CVE-2021-42574). A null text passes.
    /// </summary>
    /// <exception cref="DomainValidationException">Such a character is present (the message names its code point).</exception>
    public static void Characters(string? value, string field, bool multiline = false)
    {
        foreach (var c in value ?? string.Empty)
        {
            if (multiline && c is '\n' or '\r' or '\t')
            {
                continue;
            }

            if (char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                throw new DomainValidationException(field, c is '\n' or '\r'
                    ? $"{field} must be a single line."
                    : $"{field} must not contain the control character U+{(int)c:X4}.");
            }
        }
    }

    /// <summary>Requires a plausible e-mail address (one @, a dot in the domain), lower-cased.</summary>
    public static string Email(string? value, string field)
    {
        var text = Text(value, field, 254).ToLowerInvariant();
        return EmailPattern().IsMatch(text) ? text : throw new DomainValidationException(field, $"{field} is not a valid e-mail address.");
    }

    /// <summary>Requires a lower-case slug: letters, digits and hyphens, 2 to 64 characters.</summary>
    public static string Slug(string? value, string field)
    {
        var text = Text(value, field, 64);
        return SlugPattern().IsMatch(text) ? text : throw new DomainValidationException(field, $"{field} must be lower-case letters, digits and hyphens (2-64).");
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,63}$")]
    private static partial Regex SlugPattern();
}
