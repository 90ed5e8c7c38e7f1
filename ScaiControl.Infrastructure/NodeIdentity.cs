using Microsoft.Extensions.Configuration;

namespace ScaiControl.Infrastructure;

/// <summary>
/// The name of this app node (configuration key Node:Id; default "host:pid"), recorded on the work a node claims
/// (billing runs) so an operator sees which node holds it, and so a node knows its own claims from another's.
/// </summary>
public sealed record NodeIdentity(string Id)
{
    /// <summary>From Node:Id, else the machine name and process id (unique per process on one host).</summary>
    public static NodeIdentity From(IConfiguration configuration) =>
        new(configuration["Node:Id"] is { Length: > 0 } id ? id[..Math.Min(id.Length, 100)] : $"{Environment.MachineName}:{Environment.ProcessId}");
}
