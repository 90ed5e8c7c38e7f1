using ScaiControl.Domain.Events;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Tests.Infrastructure.Webhooks;

/// <summary>docs/webhooks.md is generated from the code and must not drift from it.</summary>
public sealed class WebhookDocsTests
{
    [Fact]
    public void DocsPage_EqualsGeneratedMarkdown()
    {
        var path = Path.Combine(FindRepoRoot(), "docs", "webhooks.md");
        Assert.True(File.Exists(path), $"{path} is missing: run `scaicontrol admin docs webhooks > docs/webhooks.md`.");

        Assert.Equal(WebhookDocs.ToMarkdown(), File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Markdown_DocumentsEveryTopic_TheRetrySchedule_AndAVerifiableSignature()
    {
        var markdown = WebhookDocs.ToMarkdown();

        foreach (var topic in EventTopics.All)
        {
            Assert.Contains($"### {topic}", markdown, StringComparison.Ordinal);
        }

        Assert.Contains("| 1 | 1 min |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 6 | 24 h |", markdown, StringComparison.Ordinal);
        Assert.Contains($"| {RetrySchedule.MaxAttempts} | none: the delivery is marked failed (exhausted) |", markdown, StringComparison.Ordinal);

        // The example request's signature verifies over the example body with the example secret.
        var lines = markdown.Split('\n');
        string Header(string name) => lines.First(l => l.StartsWith(name + ": ", StringComparison.Ordinal))[(name.Length + 2)..];
        var body = lines[Array.FindIndex(lines, l => l.StartsWith("webhook-signature: ", StringComparison.Ordinal)) + 3];
        var timestamp = long.Parse(Header("webhook-timestamp"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(StandardWebhooks.Verify(WebhookDocs.ExampleSecret, Header("webhook-id"), Header("webhook-timestamp"), Header("webhook-signature"), body,
            DateTimeOffset.FromUnixTimeSeconds(timestamp)));
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
