using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;

namespace ScaiControl.Domain.Webhooks;

/// <summary>
/// A webhook subscriber's topic filter: exact topics from <see cref="EventTopics.All"/>, family wildcards such as
/// "subscription.*" (every topic whose name starts with "subscription."), or "*" for all.
/// </summary>
public sealed class TopicFilter
{
    private readonly string[] _patterns;

    private TopicFilter(string[] patterns) => _patterns = patterns;

    /// <summary>The most patterns one subscriber may list (there are fewer topics than that).</summary>
    public const int MaxPatterns = 100;

    /// <summary>The patterns, normalised and sorted.</summary>
    public IReadOnlyList<string> Patterns => _patterns;

    /// <summary>Validates and normalises patterns.</summary>
    /// <exception cref="DomainValidationException">Empty list, more than <see cref="MaxPatterns"/> entries, or a topic/wildcard matching no known topic (field "topics").</exception>
    public static TopicFilter Parse(IEnumerable<string?>? patterns)
    {
        var given = (patterns ?? []).Take(MaxPatterns + 1).ToArray();
        if (given.Length > MaxPatterns)
        {
            throw new DomainValidationException("topics", $"Give at most {MaxPatterns} topics; a wildcard such as subscription.* or * covers many.");
        }

        var list = given.Select(p => p?.Trim() ?? string.Empty).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (list.Length == 0)
        {
            throw new DomainValidationException("topics", "Give at least one topic, a wildcard such as subscription.*, or *.");
        }

        foreach (var pattern in list)
        {
            if (!EventTopics.All.Any(t => Matches(pattern, t)))
            {
                throw new DomainValidationException("topics", $"'{pattern}' matches no topic; known topics: {string.Join(", ", EventTopics.All)}.");
            }
        }

        return new TopicFilter(list);
    }

    /// <summary>True when some pattern matches <paramref name="topic"/>.</summary>
    public bool Matches(string topic) => _patterns.Any(p => Matches(p, topic));

    private static bool Matches(string pattern, string topic) =>
        pattern == "*" || pattern == topic || (pattern.EndsWith(".*", StringComparison.Ordinal) && topic.StartsWith(pattern[..^1], StringComparison.Ordinal));
}
