using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ScaiControl.Infrastructure.Distributed;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Web.Mcp;

/// <summary>
/// The request filters every ScaiControl MCP server runs (HTTP and stdio alike): tools/list shows only the tools whose
/// <see cref="McpPermissionAttribute"/> the caller holds; tools/call refuses an anonymous caller, a missing permission,
/// and arguments that do not fit the tool's input schema (each a tool error with the reason, nothing changed), and
/// runs money-moving tools through <see cref="McpIdempotency"/>.
/// </summary>
public static class McpFilters
{
    /// <summary>The permission a tool needs, or null for a tool without <see cref="McpPermissionAttribute"/> (none of ours).</summary>
    public static string? PermissionOf(McpServerTool tool) => tool.Metadata.OfType<McpPermissionAttribute>().FirstOrDefault()?.Permission;

    /// <summary>True for a tool marked <see cref="McpMoneyMovingAttribute"/>.</summary>
    public static bool IsMoneyMoving(McpServerTool tool) => tool.Metadata.OfType<McpMoneyMovingAttribute>().Any();

    /// <summary>True when <paramref name="actor"/> may see and call <paramref name="tool"/>.</summary>
    public static bool Allows(Actor actor, McpServerTool tool) => actor.IsAuthenticated && PermissionOf(tool) is { } p && actor.Can(p);

    /// <summary>Registers the filters on <paramref name="builder"/>.</summary>
    public static IMcpServerBuilder WithScaiFilters(this IMcpServerBuilder builder) => builder.WithRequestFilters(filters =>
    {
        filters.AddListToolsFilter(next => async (context, ct) =>
        {
            var result = await next(context, ct);
            var actor = McpActor.Of(context);
            var tools = context.Server.ServerOptions.ToolCollection;
            result.Tools = result.Tools.Where(t => tools is not null && tools.TryGetPrimitive(t.Name, out var tool) && Allows(actor, tool)).ToList();
            return result;
        });
        filters.AddCallToolFilter(next => async (context, ct) =>
        {
            var name = context.Params?.Name ?? string.Empty;
            if (context.Server.ServerOptions.ToolCollection is not { } tools || !tools.TryGetPrimitive(name, out var tool))
            {
                return McpToolResults.Error(404, "Unknown tool", $"There is no tool named '{name}'.");
            }

            var actor = McpActor.Of(context);
            if (!actor.IsAuthenticated)
            {
                return McpToolResults.Error(401, "Unauthorized", "Sign in: send a bearer token or an API key.");
            }

            if (!Allows(actor, tool))
            {
                return McpToolResults.Error(403, "Forbidden", $"The tool {name} needs the {PermissionOf(tool) ?? "(none)"} permission.");
            }

            if (McpArguments.Check(tool.ProtocolTool.InputSchema, context.Params?.Arguments) is { } problem)
            {
                return McpToolResults.Invalid(problem.Field, problem.Message);
            }

            return IsMoneyMoving(tool) ? await McpIdempotency.RunAsync(context, actor, () => next(context, ct).AsTask(), ct) : await next(context, ct);
        });
    });
}

/// <summary>
/// Checks tool arguments against the tool's input schema before the tool runs, so a missing, unknown or ill-typed
/// argument is a tool error naming the field (the SDK would otherwise answer a reason-less error): required
/// properties, the JSON type (string, integer, number, boolean, array, object, null) and enum values.
/// </summary>
public static class McpArguments
{
    /// <summary>The first problem with <paramref name="arguments"/>, or null when they fit <paramref name="schema"/>.</summary>
    public static (string Field, string Message)? Check(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()).OfType<string>())
            {
                if (!arguments.TryGetValue(name, out var given) || given.ValueKind == JsonValueKind.Null)
                {
                    return (name, $"{name} is required.");
                }
            }
        }

        foreach (var (name, value) in arguments)
        {
            if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(name, out var property))
            {
                return (name, $"{name} is not an argument of this tool.");
            }

            if (property.TryGetProperty("type", out var type) && !Fits(type, value))
            {
                return (name, $"{name} must be {Describe(type)}, not {Kind(value)}.");
            }

            if (property.TryGetProperty("enum", out var options) && options.ValueKind == JsonValueKind.Array && value.ValueKind != JsonValueKind.Null
                && !options.EnumerateArray().Any(o => o.ValueKind == value.ValueKind && o.GetRawText() == value.GetRawText()))
            {
                return (name, $"{name} must be one of {string.Join(", ", options.EnumerateArray().Select(o => o.GetRawText()))}.");
            }
        }

        return null;
    }

    private static bool Fits(JsonElement type, JsonElement value) => type.ValueKind switch
    {
        JsonValueKind.String => FitsOne(type.GetString()!, value),
        JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && FitsOne(t.GetString()!, value)),
        _ => true,
    };

    private static bool FitsOne(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string Describe(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString()).Where(t => t != "null").Select(t => $"a{(t is "integer" or "array" or "object" ? "n" : "")} {t}"))
        : $"a{(type.GetString() is "integer" or "array" or "object" ? "n" : "")} {type.GetString()}";

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}

/// <summary>
/// Idempotency of money-moving tools (subscribe, finalise, credit note, billing run): the server derives the key from
/// the tool name, the arguments, the caller and the client's request id (argument <c>request_id</c>, or
/// <c>_meta.request_id</c>; without either, the JSON-RPC id of the message, so a transport-level resend is caught),
/// never from an id the model is asked to invent. The first call with a key runs; a repeat within 24 h gets the first
/// result again (with <c>_meta.replayed = true</c>) and changes nothing; a repeat while the first still runs is a 409
/// tool error. A failed call (tool error) frees the key, so a retry runs again. Keys live in the same
/// <see cref="IIdempotencyStore"/> as the REST API's Idempotency-Key (shared by all nodes with Redis).
/// </summary>
public static class McpIdempotency
{
    /// <summary>The argument a money-moving tool takes for the client's request id.</summary>
    public const string RequestIdArgument = "request_id";

    /// <summary>Runs <paramref name="call"/> once per derived key.</summary>
    public static async Task<CallToolResult> RunAsync(RequestContext<CallToolRequestParams> context, Actor actor, Func<Task<CallToolResult>> call, CancellationToken ct)
    {
        var store = context.Services?.GetService<IIdempotencyStore>();
        if (store is null)
        {
            return await call();
        }

        var key = KeyOf(context.Params!, actor, context.JsonRpcRequest.Id.ToString());
        var begin = await store.TryBeginAsync(key, key, Api.Idempotency.LockFor, ct);
        if (!begin.Started)
        {
            if (begin.Response is { } stored)
            {
                var replay = JsonSerializer.Deserialize<CallToolResult>(stored.Body, McpJsonUtilities.DefaultOptions)!;
                replay.Meta ??= [];
                replay.Meta["replayed"] = true;
                return replay;
            }

            return McpToolResults.Error(409, "Request in progress", "The same call with this request id is still running; retry after it completes to get its result.");
        }

        CallToolResult? result = null;
        try
        {
            result = await call();
            return result;
        }
        finally
        {
            if (result is { IsError: not true })
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(result, McpJsonUtilities.DefaultOptions);
                await store.CompleteAsync(key, new StoredResponse(key, 200, "application/json", null, body), Api.Idempotency.KeepFor, CancellationToken.None);
            }
            else
            {
                await store.ReleaseAsync(key, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// The key: "mcp:" + SHA-256 over the caller, the tool, the request id and the arguments (sorted by name, request_id
    /// left out). Same call, same caller, same request id: the same key.
    /// </summary>
    public static string KeyOf(CallToolRequestParams call, Actor actor, string jsonRpcId)
    {
        var arguments = call.Arguments ?? new Dictionary<string, JsonElement>();
        var requestId = arguments.TryGetValue(RequestIdArgument, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()
            : call.Meta?[RequestIdArgument] is JsonValue v && v.TryGetValue<string>(out var m) ? m
            : $"jsonrpc:{jsonRpcId}";
        var text = new StringBuilder().Append(actor.UserId).Append('\n').Append(call.Name).Append('\n').Append(requestId).Append('\n');
        foreach (var (name, value) in arguments.Where(a => a.Key != RequestIdArgument).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('=').Append(value.GetRawText()).Append('\n');
        }

        return "mcp:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
