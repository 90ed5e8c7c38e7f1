using System.CommandLine;
using System.Text.Json;
using ScaiControl.Domain.Common;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Web.Cli;

/// <summary>
/// The admin CLI's documented exit codes (docs/cli.md): 0 ok, 1 failure, 2 usage (bad argument or a validation
/// error), 3 not found, 4 conflict (the object's state forbids the action).
/// </summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>Anything else that went wrong (a refused action, a missing permission, a dependency down).</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: an unknown command or option, a missing or malformed argument, a value the domain rejects (HTTP 400/422).</summary>
    public const int Usage = 2;

    /// <summary>The object does not exist (HTTP 404).</summary>
    public const int NotFound = 3;

    /// <summary>The object's state forbids the action (HTTP 409).</summary>
    public const int Conflict = 4;

    /// <summary>
    /// The exit code of an expected failure, from the same mapping the REST API uses for its status
    /// (<see cref="Api.ProblemExceptionHandler.ToProblem"/>); null when the exception is a bug.
    /// </summary>
    public static int? Of(Exception exception) => exception switch
    {
        InvalidOperationException => Failure,
        _ => Api.ProblemExceptionHandler.ToProblem(exception)?.Status switch
        {
            null => null,
            400 or 422 => Usage,
            404 => NotFound,
            409 => Conflict,
            _ => Failure,
        },
    };
}

/// <summary>How read commands print: a padded text table by default, the REST API's JSON (snake_case) with --json.</summary>
public static class CliOutput
{
    private static readonly JsonSerializerOptions Json = CreateJson();

    /// <summary>The `--json` option every read command takes.</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Print the REST API's JSON (snake_case, money in integer minor units) instead of a table." };

    /// <summary>Writes <paramref name="value"/> as indented snake_case JSON, as the REST API answers.</summary>
    public static Task WriteJsonAsync(TextWriter stdout, object value) => stdout.WriteLineAsync(JsonSerializer.Serialize(value, value.GetType(), Json));

    /// <summary>Writes a table: a header row, then one row per item, columns padded to their widest cell; then "N noun(s).".</summary>
    public static async Task WriteTableAsync(TextWriter stdout, string[] headers, IEnumerable<string?[]> rows, string noun)
    {
        var all = rows.Select(r => r.Select(c => c ?? "-").ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        await stdout.WriteLineAsync(Line(headers, widths));
        foreach (var row in all)
        {
            await stdout.WriteLineAsync(Line(row, widths));
        }

        await stdout.WriteLineAsync($"{all.Count} {noun}(s).");
    }

    /// <summary>Writes "field: value" lines for one object.</summary>
    public static async Task WriteFieldsAsync(TextWriter stdout, IEnumerable<(string Field, string? Value)> fields)
    {
        var list = fields.ToList();
        var width = list.Max(f => f.Field.Length);
        foreach (var (field, value) in list)
        {
            await stdout.WriteLineAsync($"{(field + ":").PadRight(width + 1)} {value ?? "-"}");
        }
    }

    /// <summary>Every page of a cursor-paged service list, at the largest page size.</summary>
    public static async Task<List<T>> AllPagesAsync<T>(Func<string?, int, Task<Page<T>>> page)
    {
        var items = new List<T>();
        string? cursor = null;
        do
        {
            var next = await page(cursor, Paging.MaxLimit);
            items.AddRange(next.Items);
            cursor = next.NextCursor;
        }
        while (cursor is not null);

        return items;
    }

    /// <summary>Money as "EUR 12.34" from integer minor units of an ISO 4217 currency.</summary>
    public static string Money(long minor, string currency) => $"{currency} {Rounding.FormatMinorUnits(minor, Currencies.MinorDigits(currency))}";

    /// <summary>An RFC 3339 UTC instant to the second.</summary>
    public static string Instant(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) : "-";

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true };
        ScaiWebApp.ConfigureJson(options);
        return options;
    }
}
