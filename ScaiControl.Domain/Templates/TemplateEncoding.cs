using System.Text;
using System.Text.RegularExpressions;

namespace ScaiControl.Domain.Templates;

/// <summary>
/// The designer form of a Handlebars HTML template. GrapesJS parses a template as HTML in the browser, and the HTML
/// parser moves or drops text it finds where only elements may stand: a <c>{{#each lines}}</c> between
/// <c>&lt;tbody&gt;</c> and <c>&lt;tr&gt;</c> would be hoisted out of the table. The spec solves the same problem for
/// Jinja by writing its tags as HTML comments (<c>&lt;!--JS:if--&gt;</c>); comments may stand anywhere and GrapesJS
/// keeps them as comment components. So, in markup, every Handlebars <em>block</em> tag is stored as
/// <c>&lt;!--HB:{{…}}--&gt;</c>:
/// <list type="bullet">
/// <item>block tags: <c>{{#…}}</c>, <c>{{/…}}</c>, <c>{{^…}}</c>, <c>{{else…}}</c>, <c>{{!…}}</c> (comments) and
/// <c>{{&gt;…}}</c> (partials), with or without whitespace control (<c>{{~#each lines~}}</c>);</item>
/// <item>inline expressions (<c>{{number}}</c>, <c>{{{raw}}}</c>) stay as they are: text survives the designer;</item>
/// <item>nothing inside a tag (attribute values), an HTML comment, or the raw text of <c>&lt;title&gt;</c>,
/// <c>&lt;style&gt;</c>, <c>&lt;script&gt;</c> and <c>&lt;textarea&gt;</c> is touched: the browser keeps those as written;</item>
/// <item>a block tag containing <c>--&gt;</c> (which would end the comment) is left as it is.</item>
/// </list>
/// <see cref="Decode"/> removes the wrappers: <c>Decode(Encode(s)) == s</c> for every source without the text
/// <c>&lt;!--HB:</c> (a reserved prefix), and <see cref="Encode"/> is idempotent. Line numbers are the same in both
/// forms (wrappers never add or remove line breaks), so an error's line refers to the stored body either way.
/// </summary>
public static partial class TemplateEncoding
{
    /// <summary>Opens an encoded block tag.</summary>
    public const string Prefix = "<!--HB:";

    /// <summary>Closes an encoded block tag.</summary>
    public const string Suffix = "-->";

    private static readonly string[] RawTextElements = ["script", "style", "title", "textarea"];

    /// <summary>The designer form: block tags in markup wrapped as <c>&lt;!--HB:{{…}}--&gt;</c>.</summary>
    public static string Encode(string source)
    {
        var s = source;
        var sb = new StringBuilder(s.Length + 256);
        var i = 0;
        while (i < s.Length)
        {
            if (At(s, i, "<!--"))
            {
                var close = s.IndexOf("-->", i + 4, StringComparison.Ordinal);
                var end = close < 0 ? s.Length : close + 3;
                sb.Append(s, i, end - i);
                i = end;
            }
            else if (s[i] == '<' && i + 1 < s.Length && (char.IsAsciiLetter(s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!'))
            {
                var end = EndOfTag(s, i);
                sb.Append(s, i, end - i);
                var name = TagName(s, i);
                i = end;
                if (name is not null && RawTextElements.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    var closing = s.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                    var stop = closing < 0 ? s.Length : closing;
                    sb.Append(s, i, stop - i);
                    i = stop;
                }
            }
            else if (At(s, i, "{{") && (i == 0 || s[i - 1] != '\\') && !At(s, i, "{{{{"))
            {
                var end = EndOfMustache(s, i);
                var tag = s[i..end];
                if (IsBlockTag(tag) && !tag.Contains("-->", StringComparison.Ordinal) && !tag.Contains("--!>", StringComparison.Ordinal))
                {
                    sb.Append(Prefix).Append(tag).Append(Suffix);
                }
                else
                {
                    sb.Append(tag);
                }

                i = end;
            }
            else
            {
                sb.Append(s[i]);
                i++;
            }
        }

        return sb.ToString();
    }

    /// <summary>The Handlebars source: every <c>&lt;!--HB:…--&gt;</c> replaced by what it wraps.</summary>
    public static string Decode(string body) => Encoded().Replace(body, m => m.Groups[1].Value);

    /// <summary>True for a mustache that is a block, else, inverse, comment or partial tag (see the class summary).</summary>
    public static bool IsBlockTag(string mustache)
    {
        if (!mustache.StartsWith("{{", StringComparison.Ordinal) || mustache.StartsWith("{{{", StringComparison.Ordinal))
        {
            return false;
        }

        var inner = mustache.AsSpan(2).TrimStart('~').TrimStart();
        if (inner.IsEmpty)
        {
            return false;
        }

        if (inner[0] is '#' or '/' or '^' or '!' or '>')
        {
            return true;
        }

        return inner.StartsWith("else", StringComparison.Ordinal) && (inner.Length == 4 || !(char.IsAsciiLetterOrDigit(inner[4]) || inner[4] is '_' or '-' or '.'));
    }

    /// <summary>
    /// The mustache tags of a Handlebars source in order, each with its 1-based line and column (a comment
    /// <c>{{!-- … --}}</c> is one tag; <c>\{{</c> is literal text; a <c>{{</c> never closed runs to the end).
    /// </summary>
    public static IReadOnlyList<MustacheTag> Tags(string source)
    {
        var tags = new List<MustacheTag>();
        int line = 1, lineStart = 0, i = 0;
        while (i < source.Length)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
                i++;
                continue;
            }

            if (At(source, i, "{{") && (i == 0 || source[i - 1] != '\\'))
            {
                var end = EndOfMustache(source, i);
                var text = source[i..end];
                tags.Add(new MustacheTag(text, line, i - lineStart + 1, EndsClosed(text)));
                for (var k = i; k < end; k++)
                {
                    if (source[k] == '\n')
                    {
                        line++;
                        lineStart = k + 1;
                    }
                }

                i = end;
                continue;
            }

            i++;
        }

        return tags;
    }

    private static bool EndsClosed(string tag) => tag.EndsWith("}}", StringComparison.Ordinal) && tag.Length >= 4;

    private static bool At(string s, int i, string what) => string.CompareOrdinal(s, i, what, 0, what.Length) == 0;

    /// <summary>Index just past the mustache starting at <paramref name="i"/>; the end of the text when unclosed.</summary>
    private static int EndOfMustache(string s, int i)
    {
        var j = i + 2;
        var triple = At(s, i, "{{{");
        var k = j;
        while (k < s.Length && s[k] == '~')
        {
            k++;
        }

        if (At(s, k, "!--"))
        {
            var close = s.IndexOf("--", k + 3, StringComparison.Ordinal);
            while (close >= 0)
            {
                var after = close + 2;
                while (after < s.Length && s[after] == '~')
                {
                    after++;
                }

                if (At(s, after, "}}"))
                {
                    return after + 2;
                }

                close = s.IndexOf("--", close + 1, StringComparison.Ordinal);
            }

            return s.Length;
        }

        var end = s.IndexOf("}}", j, StringComparison.Ordinal);
        if (end < 0)
        {
            return s.Length;
        }

        end += 2;
        return triple && end < s.Length && s[end] == '}' ? end + 1 : end;
    }

    /// <summary>Index just past the '&gt;' of the tag starting at <paramref name="i"/>, skipping quoted attribute values.</summary>
    private static int EndOfTag(string s, int i)
    {
        char? quote = null;
        for (var k = i + 1; k < s.Length; k++)
        {
            var c = s[k];
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return k + 1;
            }
        }

        return s.Length;
    }

    /// <summary>The lower-case name of a start tag at <paramref name="i"/>; null for end tags and declarations.</summary>
    private static string? TagName(string s, int i)
    {
        if (!char.IsAsciiLetter(s[i + 1]))
        {
            return null;
        }

        var k = i + 1;
        while (k < s.Length && (char.IsAsciiLetterOrDigit(s[k]) || s[k] == '-'))
        {
            k++;
        }

        return s[(i + 1)..k].ToLowerInvariant();
    }

    [GeneratedRegex(@"<!--HB:(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex Encoded();
}

/// <summary>One mustache of a template source: its text, 1-based line and column, and whether it is closed by "}}".</summary>
public sealed record MustacheTag(string Text, int Line, int Column, bool Closed)
{
    /// <summary>The helper or path a tag starts with, without its sigil: "each" for <c>{{#each lines}}</c>, "number" for <c>{{number}}</c>.</summary>
    public string Word
    {
        get
        {
            var inner = Text.AsSpan(Math.Min(Text.Length, Text.StartsWith("{{{", StringComparison.Ordinal) ? 3 : 2)).TrimStart('~').TrimStart();
            if (!inner.IsEmpty && inner[0] is '#' or '/' or '^' or '>' or '&')
            {
                inner = inner[1..].TrimStart();
            }

            if (!inner.IsEmpty && inner[0] is '>' or '*')
            {
                inner = inner[1..].TrimStart();
            }

            var end = 0;
            while (end < inner.Length && !char.IsWhiteSpace(inner[end]) && inner[end] is not '}' and not '~' and not '(' and not ')')
            {
                end++;
            }

            return inner[..end].ToString();
        }
    }
}
