using System.CommandLine;
using ScaiControl.Web.Mcp;

namespace ScaiControl.Web.Cli;

/// <summary>`admin mcp --user EMAIL`: the MCP server over stdio for local agents, acting as that operator or tenant user (docs/mcp.md).</summary>
public static class McpCli
{
    /// <summary>The `mcp` command.</summary>
    public static Command Command(IConfiguration? overrides, string? environment, TextWriter stderr)
    {
        var user = new Option<string>("--user") { Description = "The e-mail of the user the agent acts as (their permissions and tenant scope).", Required = true };
        var mcp = new Command("mcp", "Serve the MCP tools over stdin/stdout as a user, e.g. `scaicontrol admin mcp --user ops@example.com`; stops when stdin closes.") { user };
        mcp.SetAction(async (parse, ct) =>
        {
            try
            {
                return await McpSetup.RunStdioAsync(parse.GetValue(user)!, overrides, environment, stderr, ct);
            }
            catch (InvalidOperationException e)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        });
        return mcp;
    }
}
