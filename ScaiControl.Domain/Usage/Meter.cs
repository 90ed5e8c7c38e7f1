using System.Text.Json;
using System.Text.RegularExpressions;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Usage;

/// <summary>How a meter turns a period's events into one billable quantity (issue 15).</summary>
public enum MeterAggregation
{
    /// <summary>The sum of the events' quantities (e.g. GB transferred).</summary>
    Sum,

    /// <summary>The number of events; quantities are ignored (e.g. API calls).</summary>
    Count,

    /// <summary>The largest quantity seen (e.g. peak storage).</summary>
    Max,

    /// <summary>The number of distinct values of <see cref="Meter.UniqueProperty"/> (e.g. active users).</summary>
    UniqueCount,

    /// <summary>The quantity of the event with the latest timestamp (e.g. seats at period end).</summary>
    Latest,
}

/// <summary>Wire names of <see cref="MeterAggregation"/>: sum | count | max | unique_count | latest.</summary>
public static class MeterAggregations
{
    /// <summary>The wire name.</summary>
    public static string WireName(this MeterAggregation a) => a switch
    {
        MeterAggregation.Sum => "sum",
        MeterAggregation.Count => "count",
        MeterAggregation.Max => "max",
        MeterAggregation.UniqueCount => "unique_count",
        MeterAggregation.Latest => "latest",
    };

    /// <summary>Parses a wire name.</summary>
    /// <exception cref="DomainValidationException">Any other value (field "aggregation").</exception>
    public static MeterAggregation Parse(string? value) => value switch
    {
        "sum" => MeterAggregation.Sum,
        "count" => MeterAggregation.Count,
        "max" => MeterAggregation.Max,
        "unique_count" => MeterAggregation.UniqueCount,
        "latest" => MeterAggregation.Latest,
        _ => throw new DomainValidationException("aggregation", "aggregation must be sum, count, max, unique_count or latest."),
    };
}

/// <summary>
/// A meter of a service (issue 15, "Meters and pricing"), defined by operators: a code unique within the service
/// (what events name in "meter"), an aggregation, a unit, and optional property filters (an event counts only when each
/// filter property has exactly the given value; others are rejected with the reason).
/// </summary>
public sealed partial class Meter
{
    /// <summary>Longest property name or value in filters and events.</summary>
    public const int MaxPropertyLength = 200;

    private Meter() { }

    /// <summary>Creates a meter of <paramref name="serviceId"/>.</summary>
    /// <exception cref="DomainValidationException">Bad code, name, unit, a unique_count meter without its property, or bad filters.</exception>
    public Meter(string serviceId, string code, string name, MeterAggregation aggregation, string unit, string? uniqueProperty,
        IReadOnlyDictionary<string, string>? filters, DateTimeOffset now)
    {
        Id = Ids.New("mtr");
        ServiceId = serviceId;
        Code = CodePattern().IsMatch(code ?? "") ? code! : throw new DomainValidationException("code", "code must be 2-64 lower-case letters, digits, '_' or '-', starting with a letter or digit.");
        Aggregation = aggregation;
        CreatedAt = now;
        Update(name, unit, uniqueProperty, filters);
    }

    public string Id { get; private set; } = default!;
    public string ServiceId { get; private set; } = default!;

    /// <summary>The meter's code, e.g. "api_calls"; unique per service.</summary>
    public string Code { get; private set; } = default!;
    public string Name { get; private set; } = default!;
    public MeterAggregation Aggregation { get; private set; }

    /// <summary>The unit shown to users and on invoice lines, e.g. "call", "GB".</summary>
    public string Unit { get; private set; } = default!;

    /// <summary>unique_count meters: the event property whose distinct values are counted.</summary>
    public string? UniqueProperty { get; private set; }

    /// <summary>Property filters as a JSON object of string values ("{}" = none).</summary>
    public string FiltersJson { get; private set; } = "{}";
    public bool IsActive { get; private set; } = true;
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The filters as a dictionary.</summary>
    public IReadOnlyDictionary<string, string> Filters => JsonSerializer.Deserialize<Dictionary<string, string>>(FiltersJson) ?? [];

    /// <summary>Changes name, unit, unique property and filters (the aggregation is fixed: it changes what stored roll-ups mean).</summary>
    public void Update(string name, string unit, string? uniqueProperty, IReadOnlyDictionary<string, string>? filters)
    {
        Name = Guard.Text(name, "name", 200);
        Unit = Guard.Text(unit, "unit", 32);
        UniqueProperty = Guard.OptionalText(uniqueProperty, "unique_property", MaxPropertyLength);
        if (Aggregation == MeterAggregation.UniqueCount && UniqueProperty is null)
        {
            throw new DomainValidationException("unique_property", "A unique_count meter needs the property whose distinct values it counts.");
        }

        var checkedFilters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in filters ?? new Dictionary<string, string>())
        {
            checkedFilters[Guard.Text(key, "filters", MaxPropertyLength)] = Guard.Text(value, "filters", MaxPropertyLength);
        }

        if (checkedFilters.Count > 20)
        {
            throw new DomainValidationException("filters", "A meter has at most 20 filters.");
        }

        FiltersJson = JsonSerializer.Serialize(checkedFilters);
    }

    /// <summary>Deactivates the meter: new events naming it are rejected; stored usage stays.</summary>
    public void Deactivate() => IsActive = false;

    /// <summary>True when <paramref name="properties"/> (string forms of the event's properties) satisfy every one of <paramref name="filters"/> (<see cref="Filters"/>, read once per batch).</summary>
    public static bool Matches(IReadOnlyDictionary<string, string> properties, IReadOnlyDictionary<string, string> filters) =>
        filters.All(f => properties.TryGetValue(f.Key, out var v) && string.Equals(v, f.Value, StringComparison.Ordinal));

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{1,63}$")]
    private static partial Regex CodePattern();
}
