namespace ScaiControl.Web.Mcp;

/// <summary>
/// The permission ("scope:action", see <see cref="Domain.Tenancy.Permissions"/>) a caller needs to see an MCP tool in
/// tools/list and to call it. A tool whose actions need more (e.g. manage_subscriptions' writes) checks those in the
/// application service, which answers a tool error with the reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class McpPermissionAttribute(string permission) : Attribute
{
    /// <summary>The permission, e.g. "subscriptions:read".</summary>
    public string Permission { get; } = permission;
}

/// <summary>
/// Marks a tool that creates or moves money (subscribe, finalise, credit note, billing run): its calls are deduplicated
/// by an idempotency key the server derives from the tool, its arguments, the caller and the client's request id
/// (<see cref="McpIdempotency"/>), so an agent that retries never applies the call twice.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class McpMoneyMovingAttribute : Attribute;
