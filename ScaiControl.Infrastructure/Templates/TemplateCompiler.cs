using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using HandlebarsDotNet;
using ScaiControl.Domain.Templates;

namespace ScaiControl.Infrastructure.Templates;

/// <summary>
/// Compiles stored templates with Handlebars.Net (values HTML-escaped by <c>{{x}}</c>, raw with <c>{{{x}}}</c>; no
/// helpers or partials beyond Handlebars' built-ins) after decoding the designer form (<see cref="TemplateEncoding"/>),
/// and turns Handlebars errors into <see cref="TemplateValidationException"/> with the line they are on.
/// Handlebars.Net gives a position only for some parser errors, so the line is found, in this order, from: a block
/// structure check of the source (unclosed <c>{{</c>, a block never closed, a close tag without or with the wrong
/// opener), the parser's "Occured at" position, the helper or partial the error names, and finally compiling each
/// tag on its own. Published versions never change, so their compiled form is kept per template id.
/// </summary>
public sealed partial class TemplateCompiler
{
    private readonly ConcurrentDictionary<string, HandlebarsTemplate<object, object>> _published = new(StringComparer.Ordinal);

    /// <summary>Compiles a body in the designer form (or plain Handlebars source: decoding leaves it unchanged).</summary>
    /// <exception cref="TemplateValidationException">It does not compile; the message has the Handlebars error and the line.</exception>
    public static HandlebarsTemplate<object, object> Compile(string body)
    {
        var source = TemplateEncoding.Decode(body);
        try
        {
            return Handlebars.Create().Compile(source);
        }
        catch (HandlebarsException e)
        {
            throw Locate(e, source);
        }
    }

    /// <summary>
    /// Compiles one part of a mail template (docs/email.md) through the same Handlebars pipeline: <paramref name="html"/>
    /// false for the subject and the plain-text part (values not HTML-escaped); <paramref name="strict"/> makes a
    /// variable the model does not have an error at render time (a HandlebarsException "x is undefined"),
    /// which is how validation refuses unknown variables.
    /// </summary>
    /// <exception cref="TemplateValidationException">It does not compile; the message has the Handlebars error and the line.</exception>
    public static HandlebarsTemplate<object, object> CompileMailPart(string body, bool html, bool strict)
    {
        var source = TemplateEncoding.Decode(body);
        var configuration = new HandlebarsConfiguration { ThrowOnUnresolvedBindingExpression = strict };
        if (!html)
        {
            configuration.TextEncoder = null;
        }

        try
        {
            return Handlebars.Create(configuration).Compile(source);
        }
        catch (HandlebarsException e)
        {
            throw Locate(e, source);
        }
    }

    /// <summary>The compiled form of a published version, compiled once per id.</summary>
    /// <exception cref="TemplateValidationException">It does not compile (published versions were checked, so only after a Handlebars upgrade).</exception>
    public HandlebarsTemplate<object, object> Published(string templateId, string body) => _published.GetOrAdd(templateId, _ => Compile(body));

    /// <summary>True, with the compiled form, when the published version is compiled already.</summary>
    public bool TryGetPublished(string templateId, out HandlebarsTemplate<object, object> compiled) => _published.TryGetValue(templateId, out compiled!);

    /// <summary>The validation error for a Handlebars exception raised by <paramref name="source"/>, with the best line found.</summary>
    public static TemplateValidationException Locate(HandlebarsException error, string source)
    {
        var message = StripPosition(error.Message);
        if (StructureProblem(source) is { } problem)
        {
            return new TemplateValidationException(message, problem.Line, problem.Hint);
        }

        if (Position().Match(error.Message) is { Success: true } position)
        {
            return new TemplateValidationException(message, int.Parse(position.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1);
        }

        var tags = TemplateEncoding.Tags(source);
        if (NamedInError().Match(error.Message) is { Success: true } named)
        {
            var name = named.Groups[2].Value.TrimStart('#');
            if (tags.FirstOrDefault(t => t.Word == name && !t.Text.StartsWith("{{/", StringComparison.Ordinal)) is { } tag)
            {
                return new TemplateValidationException(message, tag.Line);
            }
        }

        foreach (var tag in tags)
        {
            if (!CompilesAlone(tag))
            {
                return new TemplateValidationException(message, tag.Line, $"at '{Shorten(tag.Text)}'");
            }
        }

        return new TemplateValidationException(message, null);
    }

    /// <summary>The first block-structure problem of a Handlebars source (1-based line and a hint), or null.</summary>
    public static (int Line, string Hint)? StructureProblem(string source)
    {
        var open = new Stack<MustacheTag>();
        foreach (var tag in TemplateEncoding.Tags(source))
        {
            if (!tag.Closed)
            {
                return (tag.Line, $"'{Shorten(tag.Text)}' on line {tag.Line} is never closed with '}}}}'");
            }

            var inner = tag.Text.AsSpan(2).TrimStart('~').TrimStart();
            if (inner.IsEmpty || inner[0] == '!' || tag.Text.StartsWith("{{{", StringComparison.Ordinal))
            {
                continue;
            }

            if (inner[0] == '#' || (inner[0] == '^' && tag.Word.Length > 0))
            {
                open.Push(tag);
            }
            else if (inner[0] == '/')
            {
                if (!open.TryPop(out var opener))
                {
                    return (tag.Line, $"'{Shorten(tag.Text)}' on line {tag.Line} closes no open block");
                }

                if (opener.Word != tag.Word)
                {
                    return (tag.Line, $"'{Shorten(tag.Text)}' on line {tag.Line} does not close '{Shorten(opener.Text)}' opened on line {opener.Line}");
                }
            }
        }

        return open.TryPeek(out var unclosed) ? (unclosed.Line, $"'{Shorten(unclosed.Text)}' opened on line {unclosed.Line} is never closed") : null;
    }

    private static bool CompilesAlone(MustacheTag tag)
    {
        var inner = tag.Text.AsSpan(2).TrimStart('~').TrimStart();
        if (inner.IsEmpty)
        {
            return false;
        }

        if (inner[0] is '/' || TemplateEncoding.IsBlockTag(tag.Text) && inner.StartsWith("else", StringComparison.Ordinal) || inner[0] == '^' && tag.Word.Length == 0)
        {
            return true;
        }

        var probe = inner[0] == '#' || inner[0] == '^' ? $"{tag.Text}{{{{/{tag.Word}}}}}" : tag.Text;
        try
        {
            Handlebars.Create().Compile(probe);
            return true;
        }
        catch (HandlebarsException)
        {
            return false;
        }
    }

    private static string StripPosition(string message) => Position().Replace(message, string.Empty).Trim();

    /// <summary>A tag for a one-line message: its first line, at most 60 characters.</summary>
    private static string Shorten(string tag)
    {
        var firstLine = tag.Split('\n', 2)[0].TrimEnd('\r');
        return firstLine.Length > 60 ? firstLine[..57] + "..." : firstLine.Length < tag.Length ? firstLine + "..." : firstLine;
    }

    [GeneratedRegex(@"\s*Occured at:\s*(\d+):(\d+)\s*")]
    private static partial Regex Position();

    [GeneratedRegex(@"(Helper|BlockHelper|partial name) '([^']+)'")]
    private static partial Regex NamedInError();
}
