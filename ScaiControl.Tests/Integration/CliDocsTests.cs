using ScaiControl.Web.Cli;

namespace ScaiControl.Tests.Integration;

/// <summary>docs/cli.md is generated from the admin command tree and must not drift from it.</summary>
public sealed class CliDocsTests
{
    [Fact]
    public void DocsPage_EqualsTheMarkdownGeneratedFromTheCommandTree()
    {
        var path = Path.Combine(FindRepoRoot(), "docs", "cli.md");
        Assert.True(File.Exists(path), $"{path} is missing: run `scaicontrol admin docs cli > docs/cli.md`.");
        Assert.True(CliDocs.ToMarkdown() == File.ReadAllText(path).ReplaceLineEndings("\n"),
            "docs/cli.md is out of step with the command tree: run `dotnet run --project ScaiControl.Web -- admin docs cli > docs/cli.md`.");
    }

    [Fact]
    public async Task Markdown_ListsEveryLeafCommand_AndTheExitCodes_AndDocsCliPrintsIt()
    {
        var markdown = CliDocs.ToMarkdown();
        foreach (var leaf in new[] { "admin partners list", "admin tenants list", "admin subscriptions change-plan ID --plan VALUE", "admin invoices einvoice ID --out VALUE", "admin webhooks replay [DELIVERY]" })
        {
            Assert.Contains($"#### `{leaf}", markdown, StringComparison.Ordinal);
        }

        Assert.Contains("| 4 | conflict", markdown, StringComparison.Ordinal);
        using var output = new StringWriter();
        Assert.Equal(0, await AdminCli.RunAsync(["docs", "cli"], output, TextWriter.Null));
        Assert.Equal(markdown, output.ToString());
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaiControl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ScaiControl.sln above {AppContext.BaseDirectory}.");
    }
}
