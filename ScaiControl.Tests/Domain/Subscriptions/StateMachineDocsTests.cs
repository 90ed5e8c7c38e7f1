using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>docs/state-machines.md is generated from the transition table and must not drift from it.</summary>
public sealed class StateMachineDocsTests
{
    [Fact]
    public void DocsPage_EqualsGeneratedMarkdown()
    {
        var path = Path.Combine(FindRepoRoot(), "docs", "state-machines.md");
        Assert.True(File.Exists(path), $"{path} is missing: write SubscriptionStateMachine.ToMarkdown() to it.");

        var onDisk = File.ReadAllText(path).ReplaceLineEndings("\n");

        Assert.Equal(SubscriptionStateMachine.ToMarkdown().ReplaceLineEndings("\n"), onDisk);
    }

    [Fact]
    public void Markdown_ListsCancelFromEveryLiveStateAndTerminalStates()
    {
        var markdown = SubscriptionStateMachine.ToMarkdown();

        Assert.Contains(
            "| `cancel` | `pending`, `trialing`, `active`, `past_due`, `cancelling`, `suspended` | `cancelled` | `subscription.cancelled.v1` |",
            markdown,
            StringComparison.Ordinal);
        Assert.Contains("| `cancelled` | none (terminal) |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `expired` | none (terminal) |", markdown, StringComparison.Ordinal);
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
