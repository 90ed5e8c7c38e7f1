using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using ModelContextProtocol.AspNetCore.Authentication;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Protocol;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Mcp;

/// <summary>
/// The MCP server (docs/mcp.md, ModelContextProtocol 2.4.0): streamable HTTP at /mcp (stateless, authenticated by the
/// same bearer token or API key as /api/v1, RFC 9728 protected-resource metadata at
/// /.well-known/oauth-protected-resource/mcp) and stdio (`admin mcp --user EMAIL`). Both serve the tools of
/// <see cref="ToolTypes"/> with the filters of <see cref="McpFilters"/>.
/// </summary>
public static class McpSetup
{
    /// <summary>The path of the streamable HTTP endpoint.</summary>
    public const string Path = "/mcp";

    /// <summary>The authentication scheme of /mcp: API key or bearer token; the challenge carries the resource metadata.</summary>
    public const string Scheme = "mcp";

    /// <summary>The authorization policy of /mcp: an authenticated caller by <see cref="Scheme"/> (never the portal's cookie).</summary>
    public const string Policy = "mcp";

    /// <summary>
    /// The classes whose [McpServerTool] methods are served. A feature adds its tool class here (one line); its
    /// methods carry [McpPermission] (and [McpMoneyMoving] when they create or move money).
    /// </summary>
    public static readonly IReadOnlyList<Type> ToolTypes = [typeof(Tools.SubscriptionTools), typeof(Tools.CatalogTools), typeof(Tools.BillingTools), typeof(Tools.UsageTools)];

    /// <summary>The server's name and version in the handshake.</summary>
    public static Implementation ServerInfo => new() { Name = "scaicontrol", Title = "ScaiControl", Version = typeof(McpSetup).Assembly.GetName().Version?.ToString() ?? "1.0.0" };

    /// <summary>Adds the HTTP MCP server, its authentication scheme and policy.</summary>
    public static WebApplicationBuilder AddScaiMcp(this WebApplicationBuilder builder)
    {
        builder.Services.AddMcpServer(o => o.ServerInfo = ServerInfo)
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools((IEnumerable<Type>)ToolTypes, McpToolResults.Json)
            .WithScaiFilters();

        var authority = builder.Configuration["Auth:Authority"];
        builder.Services.AddAuthentication()
            .AddMcp(McpAuthenticationDefaults.AuthenticationScheme, "MCP resource metadata", o =>
            {
                o.ResourceMetadata = new ProtectedResourceMetadata
                {
                    ResourceName = "ScaiControl MCP server",
                    ScopesSupported = [.. Permissions.All],
                    BearerMethodsSupported = ["header"],
                };
                if (!string.IsNullOrWhiteSpace(authority))
                {
                    o.ResourceMetadata.AuthorizationServers.Add(authority.TrimEnd('/'));
                }

                o.Events.OnResourceMetadataRequest = ctx =>
                {
                    // The resource is this server's /mcp as the client reached it (RFC 9728 §3.3: it must match).
                    var request = ctx.HttpContext.Request;
                    ctx.ResourceMetadata = new ProtectedResourceMetadata
                    {
                        Resource = $"{request.Scheme}://{request.Host}{request.PathBase}{Path}",
                        ResourceName = o.ResourceMetadata.ResourceName,
                        AuthorizationServers = o.ResourceMetadata.AuthorizationServers,
                        ScopesSupported = o.ResourceMetadata.ScopesSupported,
                        BearerMethodsSupported = o.ResourceMetadata.BearerMethodsSupported,
                    };
                    return Task.CompletedTask;
                };
            })
            .AddPolicyScheme(Scheme, "MCP: API key or bearer token", o =>
            {
                o.ForwardDefaultSelector = ctx => ApiKeyAuthenticationHandler.Presents(ctx.Request) ? ApiKeyAuthenticationHandler.SchemeName : JwtBearerDefaults.AuthenticationScheme;
                o.ForwardChallenge = McpAuthenticationDefaults.AuthenticationScheme;
            });
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return builder;
    }

    /// <summary>Maps POST /mcp (stateless streamable HTTP) behind <see cref="Policy"/>.</summary>
    public static IEndpointConventionBuilder MapScaiMcp(this IEndpointRouteBuilder app) =>
        app.MapMcp(Path).RequireAuthorization(Policy).DisableAntiforgery();

    /// <summary>
    /// Serves the tools over stdin/stdout as the user with <paramref name="email"/> (their effective permissions, as a
    /// token of theirs would carry) until stdin closes. Logs go to stderr. Exit 0 when stdin closes; 3 for an unknown user.
    /// </summary>
    public static async Task<int> RunStdioAsync(string email, IConfiguration? overrides, string? environment, TextWriter stderr, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment });
        ScaiWebApp.AddRootDevelopmentSettings(builder.Configuration, builder.Environment);
        if (overrides is not null)
        {
            builder.Configuration.AddConfiguration(overrides);
        }

        builder.Logging.ClearProviders();
        // stdout carries JSON-RPC only: every log line goes to stderr, warnings and worse.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning);
        builder.Services.AddScaiInfrastructure(builder.Configuration);
        builder.Services.AddMcpServer(o => o.ServerInfo = ServerInfo)
            .WithStdioServerTransport()
            .WithTools((IEnumerable<Type>)ToolTypes, McpToolResults.Json)
            .WithScaiFilters();

        // The actor is resolved once, before the server starts, from a throwaway provider of the same services.
        builder.Services.AddSingleton(sp => new StdioMcpActor(ResolveActorAsync(sp, email, CancellationToken.None).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException($"no user with e-mail '{email}'.")));
        using var host = builder.Build();
        await host.Services.GetRequiredService<Infrastructure.Persistence.ScaiDbFactory>().MigrateAsync(ct);
        if (await ResolveActorAsync(host.Services, email, ct) is null)
        {
            await stderr.WriteLineAsync($"error: no user with e-mail '{email}'.");
            return 3;
        }

        _ = host.Services.GetRequiredService<StdioMcpActor>();
        await host.RunAsync(ct);
        return 0;
    }

    /// <summary>The actor of the user with <paramref name="email"/>: their claims as a token would carry them, widened to their effective permissions; null for no such user.</summary>
    private static async Task<Infrastructure.Tenancy.Actor?> ResolveActorAsync(IServiceProvider services, string email, CancellationToken ct)
    {
        var user = await services.GetRequiredService<Infrastructure.Tenancy.TenancyService>().FindUserAsync(email, ct);
        if (user is null)
        {
            return null;
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(ScaiClaims.For(user), "mcp-stdio", ScaiClaims.Name, ScaiClaims.Roles));
        var effective = await new EffectivePermissionClaims(services.GetRequiredService<Infrastructure.Identity.EffectivePermissionService>()).TransformAsync(principal);
        return effective.ToActor();
    }
}
