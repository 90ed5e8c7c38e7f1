using System.Text.RegularExpressions;

namespace ScaiControl.Domain.Common;

/// <summary>Input checks shared by the aggregates; each raises <see cref="DomainValidationException"/> naming the field.</summary>
public static partial class Guard
{
    /// <summary>Trims and requires a non-empty text of at most <paramref name="maxLength"/> characters.</summary>
    public static string Text(string? value, string field, int maxLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new DomainValidationException(field, $"{field} is required.");
        }

        return trimmed.Length <= maxLength ? trimmed : throw new DomainValidationException(field, $"{field} must be at most {maxLength} characters.");
    }

    /// <summary>Trims an optional text; empty becomes null.</summary>
    public static string? OptionalText(string? value, string field, int maxLength)
    {
        var trimmed = value?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : Text(trimmed, field, maxLength);
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
