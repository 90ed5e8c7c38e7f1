using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ScaiControl.Domain.Common;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Api;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Mcp;

/// <summary>
/// The actor an MCP call acts as: over HTTP the request's user (the same bearer token or API key → actor as the REST
/// API), over stdio the user named by `admin mcp --user` (<see cref="StdioMcpActor"/>). Nobody: <see cref="Actor.Anonymous"/>.
/// </summary>
public static class McpActor
{
    /// <summary>The actor of <paramref name="context"/>.</summary>
    public static Actor Of(MessageContext context) =>
        context.User?.Identity?.IsAuthenticated == true ? context.User.ToActor()
        : context.Services?.GetService<StdioMcpActor>()?.Actor ?? Actor.Anonymous;
}

/// <summary>The fixed actor of a stdio MCP server (`admin mcp --user EMAIL`): that user's effective permissions.</summary>
public sealed record StdioMcpActor(Actor Actor);

/// <summary>
/// Tool results: a success is the JSON (snake_case, as the REST API writes it) of the value, as text and as structured
/// content; an expected failure (validation, not found, forbidden, conflict) is a tool error (isError) whose text is
/// "STATUS Title: reason" and whose structured content is the problem+json the REST API would answer.
/// </summary>
public static class McpToolResults
{
    /// <summary>snake_case JSON, snake_case enum strings (<see cref="ScaiWebApp.ConfigureJson"/>).</summary>
    public static readonly JsonSerializerOptions Json = CreateJson();

    /// <summary>Runs <paramref name="body"/>; its value is the result, an expected failure a tool error. Bugs propagate.</summary>
    public static async Task<CallToolResult> RunAsync<T>(Func<Task<T>> body)
    {
        try
        {
            return Ok(await body());
        }
        catch (Exception e) when (ProblemExceptionHandler.ToProblem(e) is { } problem)
        {
            return Error(problem.Status ?? 400, problem.Title ?? "Error", problem.Detail ?? e.Message, JsonSerializer.SerializeToNode(problem, Json));
        }
    }

    /// <summary>A successful result carrying <paramref name="value"/>.</summary>
    public static CallToolResult Ok<T>(T value)
    {
        var node = JsonSerializer.SerializeToNode(value, Json);
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = node?.ToJsonString(Json) ?? "null" }],
            StructuredContent = node is JsonObject ? JsonSerializer.SerializeToElement(node, Json) : null,
        };
    }

    /// <summary>A tool error: "STATUS Title: detail", with the problem as structured content.</summary>
    public static CallToolResult Error(int status, string title, string detail, JsonNode? problem = null) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = $"{status} {title}: {detail}" }],
        StructuredContent = JsonSerializer.SerializeToElement(problem ?? new JsonObject { ["status"] = status, ["title"] = title, ["detail"] = detail }, Json),
    };

    /// <summary>A validation tool error naming <paramref name="field"/> (like the API's 422).</summary>
    public static CallToolResult Invalid(string field, string message) =>
        Error(422, "Validation failed", message, JsonSerializer.SerializeToNode(ProblemExceptionHandler.Validation(field, message), Json));

    /// <summary>Throws the API's validation error for <paramref name="field"/> when <paramref name="value"/> is missing.</summary>
    public static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new DomainValidationException(field, $"{field} is required.") : value;

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ScaiWebApp.ConfigureJson(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
