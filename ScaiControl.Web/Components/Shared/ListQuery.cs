namespace ScaiControl.Web.Components.Shared;

/// <summary>
/// What <see cref="ListPage{TRow}"/> asks its Load for: the search box's text, the chosen status wire name, the page's
/// cursor and size, and the order a column header chose (null: the list's default, newest first).
/// </summary>
public sealed record ListQuery(string? Search, string? Status, string? Cursor, int Limit, Infrastructure.Persistence.ListSort? Sort = null);

/// <summary>The order a <see cref="ListPage{TRow}"/> shows, for its <see cref="SortHeader"/>s (cascaded).</summary>
public interface IListSortState
{
    /// <summary>The order chosen (null: the list's default).</summary>
    Infrastructure.Persistence.ListSort? Sort { get; }

    /// <summary>Orders by <paramref name="key"/>: first in <paramref name="firstDescending"/>'s direction, again to reverse; reads the first page.</summary>
    Task SortByAsync(string key, bool firstDescending);
}

/// <summary>CSV cells (RFC 4180): quoted when they hold a comma, quote, CR or LF; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula.</summary>
public static class Csv
{
    /// <summary>One cell.</summary>
    public static string Cell(string? value)
    {
        var text = value ?? string.Empty;
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' && !decimal.TryParse(text, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }
}
