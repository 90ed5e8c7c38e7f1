using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Provisioning;

/// <summary>How a provisioning step learns its result (spec 001: sync, async-callback and async-poll steps).</summary>
public enum StepKind
{
    /// <summary>The call's 2xx answer is the result.</summary>
    Sync,

    /// <summary>The call answers 202; the service later POSTs the result to a signed single-use callback URL before a deadline (status poll as fallback).</summary>
    AsyncCallback,

    /// <summary>The call starts the work; a status URL is polled at an interval until done, failed or the deadline.</summary>
    AsyncPoll,
}

/// <summary>
/// Retry of transient failures (5xx, timeout, connection refused): at most <see cref="MaxAttempts"/> attempts in all,
/// waiting <see cref="BackoffSeconds"/> × 2^(attempt-1), capped at <see cref="MaxBackoffSeconds"/>, between them.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Attempts in all (1 = no retry), 1..20. Default 3.</summary>
    [JsonPropertyName("max_attempts")] public int MaxAttempts { get; init; } = 3;

    /// <summary>First wait, seconds (0..3600). Default 2.</summary>
    [JsonPropertyName("backoff_seconds")] public int BackoffSeconds { get; init; } = 2;

    /// <summary>Longest wait, seconds. Default 300.</summary>
    [JsonPropertyName("max_backoff_seconds")] public int MaxBackoffSeconds { get; init; } = 300;

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoffSeconds, BackoffSeconds * Math.Pow(2, Math.Max(0, attempt - 1))));
}

/// <summary>An HTTP call on the service's base_url: method and path (the path may hold <c>{{…}}</c> placeholders).</summary>
public sealed record HttpCall
{
    /// <summary>GET, POST, PUT, PATCH or DELETE.</summary>
    [JsonPropertyName("method")] public string Method { get; init; } = "POST";

    /// <summary>Relative path, e.g. "/provision/{{subscription.id}}".</summary>
    [JsonPropertyName("path")] public string Path { get; init; } = "";
}

/// <summary>One step of a provisioning workflow: a call of one registered service's endpoint (issue 14).</summary>
public sealed record WorkflowStep
{
    /// <summary>Unique key within the workflow (lower-case letters, digits, '_', '-').</summary>
    [JsonPropertyName("key")] public string Key { get; init; } = "";

    /// <summary>The registered service (app_id) whose base_url the call goes to.</summary>
    [JsonPropertyName("app_id")] public string AppId { get; init; } = "";

    /// <summary>sync | async_callback | async_poll.</summary>
    [JsonPropertyName("kind")] public StepKind Kind { get; init; } = StepKind.Sync;

    /// <summary>GET, POST, PUT, PATCH or DELETE.</summary>
    [JsonPropertyName("method")] public string Method { get; init; } = "POST";

    /// <summary>Path on the service's base_url.</summary>
    [JsonPropertyName("path")] public string Path { get; init; } = "";

    /// <summary>Keys of the steps that must succeed first.</summary>
    [JsonPropertyName("depends_on")] public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>The JSON body's fields: name -> template ("{{subscription.id}}", "{{steps.create_db.output.db_id}}", or literal text).</summary>
    [JsonPropertyName("inputs")] public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();

    /// <summary>How long one call may take, seconds (1..3600). Default 30.</summary>
    [JsonPropertyName("timeout_seconds")] public int TimeoutSeconds { get; init; } = 30;

    /// <summary>Retry of transient failures.</summary>
    [JsonPropertyName("retry")] public RetryPolicy Retry { get; init; } = new();

    /// <summary>The call that undoes the step (body: the step's inputs and output), or null when nothing needs undoing.</summary>
    [JsonPropertyName("compensation")] public HttpCall? Compensation { get; init; }

    /// <summary>async_poll (required) and async_callback (the fallback poll): the status path; answers {"status":"done|failed|running","output":{…}}.</summary>
    [JsonPropertyName("status_path")] public string? StatusPath { get; init; }

    /// <summary>Seconds between status polls (1..3600). Default 5.</summary>
    [JsonPropertyName("poll_interval_seconds")] public int PollIntervalSeconds { get; init; } = 5;

    /// <summary>async steps: seconds after the call until the step fails as timed out (1..604800). Default 600.</summary>
    [JsonPropertyName("deadline_seconds")] public int DeadlineSeconds { get; init; } = 600;
}

/// <summary>
/// A provisioning workflow as data (spec 001: a topologically ordered DAG of sync, async-callback and async-poll steps
/// with reverse-order compensation on failure). Parsed from and stored as JSON (snake_case, kinds as
/// "sync" | "async_callback" | "async_poll"). Validated by <see cref="Validate"/>.
/// </summary>
public sealed record WorkflowDefinition
{
    /// <summary>The steps, in any order.</summary>
    [JsonPropertyName("steps")] public IReadOnlyList<WorkflowStep> Steps { get; init; } = [];

    /// <summary>The whole run's deadline, seconds after start (60..2592000). Default 3600.</summary>
    [JsonPropertyName("run_deadline_seconds")] public int RunDeadlineSeconds { get; init; } = 3600;

    /// <summary>Most steps a workflow may hold.</summary>
    public const int MaxSteps = 50;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    private static readonly Regex KeyPattern = new("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.Compiled);
    private static readonly Regex Placeholder = new(@"\{\{\s*([^{}]*?)\s*\}\}", RegexOptions.Compiled);

    /// <summary>Roots an input may read besides steps.X.output.Y.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ContextFields = new Dictionary<string, IReadOnlyList<string>>
    {
        ["subscription"] = ["id", "plan_id", "tenant_id", "quantity", "currency"],
        ["tenant"] = ["id", "name", "country", "email"],
        ["plan"] = ["id", "code", "name", "service_id"],
        ["run"] = ["id", "kind"],
    };

    /// <summary>JSON options of the stored form (snake_case enums).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        PropertyNameCaseInsensitive = false,
        WriteIndented = false,
    };

    /// <summary>Parses the stored / posted JSON form.</summary>
    /// <exception cref="DomainValidationException">Not valid JSON of this shape ("definition").</exception>
    public static WorkflowDefinition Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<WorkflowDefinition>(json, Json) ?? throw new DomainValidationException("definition", "definition must be a JSON object with steps.");
        }
        catch (JsonException e)
        {
            throw new DomainValidationException("definition", $"definition is not a valid workflow: {e.Message}");
        }
    }

    /// <summary>The stored JSON form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// Checks the definition and returns the step keys in topological order (dependencies first; ties in declaration
    /// order). Rules: 1..50 steps, unique well-formed keys, every dependency exists, no cycle, every app_id in
    /// <paramref name="registeredAppIds"/>, methods and paths well-formed, async_poll has a status_path, numeric
    /// limits, and every input placeholder resolvable: a context field, or steps.K.output.F with K an (indirect)
    /// dependency of the step.
    /// </summary>
    /// <exception cref="DomainValidationException">The first rule broken, naming the field (e.g. "steps[2].depends_on").</exception>
    public IReadOnlyList<string> Validate(IReadOnlySet<string> registeredAppIds)
    {
        if (Steps is null || Steps.Count == 0)
        {
            throw new DomainValidationException("steps", "A workflow needs at least one step.");
        }

        if (Steps.Count > MaxSteps)
        {
            throw new DomainValidationException("steps", $"A workflow holds at most {MaxSteps} steps.");
        }

        if (RunDeadlineSeconds is < 60 or > 2_592_000)
        {
            throw new DomainValidationException("run_deadline_seconds", "run_deadline_seconds must be 60..2592000.");
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Steps.Count; i++)
        {
            var s = Steps[i] ?? throw new DomainValidationException($"steps[{i}]", "A step must be an object.");
            if (s.Key is null || !KeyPattern.IsMatch(s.Key))
            {
                throw new DomainValidationException($"steps[{i}].key", "key must be 1-64 lower-case letters, digits, '_' or '-'.");
            }

            if (!index.TryAdd(s.Key, i))
            {
                throw new DomainValidationException($"steps[{i}].key", $"key '{s.Key}' is used twice.");
            }
        }

        for (var i = 0; i < Steps.Count; i++)
        {
            var s = Steps[i];
            var f = $"steps[{i}]";
            if (string.IsNullOrWhiteSpace(s.AppId) || !registeredAppIds.Contains(s.AppId))
            {
                throw new DomainValidationException($"{f}.app_id", $"app_id '{s.AppId}' is not a registered service.");
            }

            CheckCall(s.Method, s.Path, f);
            if (s.Compensation is { } c)
            {
                CheckCall(c.Method, c.Path, $"{f}.compensation");
            }

            if (s.Kind == StepKind.AsyncPoll && string.IsNullOrWhiteSpace(s.StatusPath))
            {
                throw new DomainValidationException($"{f}.status_path", "An async_poll step needs a status_path.");
            }

            if (s.StatusPath is not null)
            {
                CheckPath(s.StatusPath, $"{f}.status_path");
            }

            if (s.TimeoutSeconds is < 1 or > 3600)
            {
                throw new DomainValidationException($"{f}.timeout_seconds", "timeout_seconds must be 1..3600.");
            }

            if (s.PollIntervalSeconds is < 1 or > 3600)
            {
                throw new DomainValidationException($"{f}.poll_interval_seconds", "poll_interval_seconds must be 1..3600.");
            }

            if (s.DeadlineSeconds is < 1 or > 604_800)
            {
                throw new DomainValidationException($"{f}.deadline_seconds", "deadline_seconds must be 1..604800.");
            }

            if (s.Retry is null || s.Retry.MaxAttempts is < 1 or > 20 || s.Retry.BackoffSeconds is < 0 or > 3600 || s.Retry.MaxBackoffSeconds < s.Retry.BackoffSeconds)
            {
                throw new DomainValidationException($"{f}.retry", "retry needs max_attempts 1..20, backoff_seconds 0..3600 and max_backoff_seconds >= backoff_seconds.");
            }

            foreach (var d in s.DependsOn ?? [])
            {
                if (!index.ContainsKey(d))
                {
                    throw new DomainValidationException($"{f}.depends_on", $"depends_on names '{d}', which is not a step of this workflow.");
                }

                if (d == s.Key)
                {
                    throw new DomainValidationException($"{f}.depends_on", $"Step '{s.Key}' depends on itself.");
                }
            }
        }

        var order = TopologicalOrder(index);
        for (var i = 0; i < Steps.Count; i++)
        {
            var s = Steps[i];
            var ancestors = Ancestors(s.Key);
            foreach (var (name, template) in s.Inputs ?? new Dictionary<string, string>())
            {
                var field = $"steps[{i}].inputs.{name}";
                if (string.IsNullOrWhiteSpace(name) || template is null)
                {
                    throw new DomainValidationException(field, "An input needs a name and a template.");
                }

                CheckTemplate(template, ancestors, field);
            }

            CheckTemplate(s.Path, ancestors, $"steps[{i}].path");
            if (s.StatusPath is not null)
            {
                CheckTemplate(s.StatusPath, ancestors, $"steps[{i}].status_path");
            }
        }

        return order;
    }

    /// <summary>The step with key <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such step.</exception>
    public WorkflowStep Step(string key) => Steps.FirstOrDefault(s => s.Key == key) ?? throw new KeyNotFoundException(key);

    /// <summary>Keys of every step <paramref name="key"/> depends on, directly or indirectly.</summary>
    public IReadOnlySet<string> Ancestors(string key)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(Step(key).DependsOn ?? []);
        while (stack.TryPop(out var k))
        {
            if (seen.Add(k))
            {
                foreach (var d in Step(k).DependsOn ?? [])
                {
                    stack.Push(d);
                }
            }
        }

        return seen;
    }

    /// <summary>
    /// Replaces the <c>{{…}}</c> placeholders of <paramref name="template"/>: <paramref name="context"/> maps
    /// "subscription.id" etc. to text; <paramref name="outputs"/> maps a step key to its output JSON object.
    /// </summary>
    /// <exception cref="DomainValidationException">A placeholder with no value ("inputs").</exception>
    public static string Resolve(string template, IReadOnlyDictionary<string, string?> context, IReadOnlyDictionary<string, JsonElement> outputs) =>
        Placeholder.Replace(template, m =>
        {
            var path = m.Groups[1].Value;
            var parts = path.Split('.');
            if (parts is ["steps", var step, "output", .. var rest] && rest.Length > 0 && outputs.TryGetValue(step, out var output))
            {
                var e = output;
                foreach (var p in rest)
                {
                    if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
                    {
                        throw new DomainValidationException("inputs", $"'{path}' has no value: step '{step}' returned no '{string.Join('.', rest)}'.");
                    }
                }

                return e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
            }

            return context.TryGetValue(path, out var v) && v is not null ? v : throw new DomainValidationException("inputs", $"'{path}' has no value.");
        });

    private List<string> TopologicalOrder(Dictionary<string, int> index)
    {
        // Kahn's algorithm; the lowest declaration index among the ready steps goes first, so the order is stable.
        var indegree = Steps.ToDictionary(s => s.Key, s => (s.DependsOn ?? []).Distinct().Count(), StringComparer.Ordinal);
        var ready = new SortedSet<int>(Steps.Where(s => indegree[s.Key] == 0).Select(s => index[s.Key]));
        var order = new List<string>(Steps.Count);
        while (ready.Count > 0)
        {
            var i = ready.Min;
            ready.Remove(i);
            var key = Steps[i].Key;
            order.Add(key);
            foreach (var s in Steps.Where(s => (s.DependsOn ?? []).Contains(key)))
            {
                if (--indegree[s.Key] == 0)
                {
                    ready.Add(index[s.Key]);
                }
            }
        }

        if (order.Count != Steps.Count)
        {
            var inCycle = Steps.Select((s, i) => (s, i)).First(x => !order.Contains(x.s.Key));
            throw new DomainValidationException($"steps[{inCycle.i}].depends_on", $"The dependencies form a cycle through step '{inCycle.s.Key}'.");
        }

        return order;
    }

    private static void CheckCall(string? method, string? path, string field)
    {
        if (method is null || !Methods.Contains(method))
        {
            throw new DomainValidationException($"{field}.method", "method must be GET, POST, PUT, PATCH or DELETE.");
        }

        CheckPath(path, $"{field}.path");
    }

    private static void CheckPath(string? path, string field)
    {
        if (string.IsNullOrWhiteSpace(path) || !path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Length > 500
            || path.Contains("://", StringComparison.Ordinal) || path.Contains("..", StringComparison.Ordinal) || path.Any(char.IsControl))
        {
            throw new DomainValidationException(field, "path must be a relative path starting with '/' (at most 500 characters, no '..').");
        }
    }

    private static void CheckTemplate(string template, IReadOnlySet<string> ancestors, string field)
    {
        foreach (Match m in Placeholder.Matches(template))
        {
            var parts = m.Groups[1].Value.Split('.');
            var ok = parts switch
            {
                ["steps", var step, "output", _, ..] => ancestors.Contains(step),
                [var root, var name] => ContextFields.TryGetValue(root, out var names) && names.Contains(name),
                _ => false,
            };
            if (!ok)
            {
                throw new DomainValidationException(field, parts is ["steps", var s, ..]
                    ? $"'{m.Value}' reads step '{s}', which this step does not depend on (or not as steps.KEY.output.FIELD)."
                    : $"'{m.Value}' is not resolvable: use subscription.*, tenant.*, plan.*, run.* or steps.KEY.output.FIELD.");
            }
        }
    }
}
