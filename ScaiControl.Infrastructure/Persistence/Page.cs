using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// One page of a cursor-paged list, newest first. Ids are time-ordered, so the cursor is simply the last id of the
/// page: stable under inserts, no offsets. <see cref="NextCursor"/> is null on the last page.
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Reads <see cref="Page{T}"/>s.</summary>
public static class Paging
{
    /// <summary>Largest page size accepted.</summary>
    public const int MaxLimit = 200;

    /// <summary>Reads the page after <paramref name="cursor"/> of <paramref name="query"/>, ordered by id descending.</summary>
    /// <exception cref="Domain.Common.DomainValidationException">limit outside 1..200.</exception>
    public static async Task<Page<T>> ReadAsync<T>(IQueryable<T> query, Expression<Func<T, string>> id, string? cursor, int limit, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit)
        {
            throw new Domain.Common.DomainValidationException("limit", $"limit must be between 1 and {MaxLimit}.");
        }

        if (!string.IsNullOrEmpty(cursor))
        {
            if (cursor.Length > Domain.Common.Ids.MaxLength || !cursor.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new Domain.Common.DomainValidationException("cursor", "cursor is not a value this list returned as next_cursor.");
            }

            // The cursor goes into the query as a parameter (a captured variable), never as SQL text.
            Expression<Func<string>> boundary = () => cursor;
            var parameter = id.Parameters[0];
            var before = Expression.Lambda<Func<T, bool>>(
                Expression.LessThan(
                    Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, id.Body, boundary.Body),
                    Expression.Constant(0)),
                parameter);
            query = query.Where(before);
        }

        var items = await query.OrderByDescending(id).Take(limit + 1).ToListAsync(ct);
        var next = items.Count > limit ? id.Compile()(items[limit - 1]) : null;
        return new Page<T>(items.Take(limit).ToList(), next);
    }

    /// <summary>
    /// Reads the page after <paramref name="cursor"/> of <paramref name="query"/> in the order <paramref name="sort"/>
    /// names (one of <paramref name="keys"/>), ties broken by id in the same direction, so the keyset is stable.
    /// Without a sort (null) this is <see cref="ReadAsync{T}(IQueryable{T}, Expression{Func{T, string}}, string?, int, CancellationToken)"/>
    /// (newest first, the REST lists' cursors). A sorted page's cursor carries the last row's key and id (hex, opaque).
    /// </summary>
    /// <exception cref="Domain.Common.DomainValidationException">limit outside 1..200 (field "limit"), a sort key the list does not offer (field "sort"), a malformed cursor (field "cursor").</exception>
    public static Task<Page<T>> ReadAsync<T>(IQueryable<T> query, Expression<Func<T, string>> id, SortKeys<T> keys, ListSort? sort, string? cursor, int limit, CancellationToken ct)
    {
        if (sort is null)
        {
            return ReadAsync(query, id, cursor, limit, ct);
        }

        if (!keys.TryGet(sort.Key, out var read))
        {
            throw new Domain.Common.DomainValidationException("sort", $"This list sorts by {string.Join(", ", keys.Names)}, not '{sort.Key}'.");
        }

        return read(query, id, sort.Descending, cursor, limit, ct);
    }

    /// <summary>The keyset read behind <see cref="SortKeys{T}"/>: ORDER BY key, id (both ascending or both descending).</summary>
    internal static async Task<Page<T>> ReadKeysetAsync<T, TKey>(IQueryable<T> query, Expression<Func<T, string>> id, Expression<Func<T, TKey>> key, bool descending, string? cursor, int limit, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit)
        {
            throw new Domain.Common.DomainValidationException("limit", $"limit must be between 1 and {MaxLimit}.");
        }

        var parameter = id.Parameters[0];
        var keyBody = new Rebind(key.Parameters[0], parameter).Visit(key.Body);
        if (!string.IsNullOrEmpty(cursor))
        {
            var (lastKey, lastId) = DecodeCursor<TKey>(cursor);
            // Both values go into the query as parameters (captured variables), never as SQL text.
            Expression<Func<TKey>> keyValue = () => lastKey;
            Expression<Func<string>> idValue = () => lastId;
            var beyondKey = Beyond<TKey>(keyBody, keyValue.Body, descending);
            var sameKey = Expression.Equal(keyBody, keyValue.Body);
            var beyondId = Beyond<string>(id.Body, idValue.Body, descending);
            query = query.Where(Expression.Lambda<Func<T, bool>>(Expression.OrElse(beyondKey, Expression.AndAlso(sameKey, beyondId)), parameter));
        }

        var sortKey = Expression.Lambda<Func<T, TKey>>(keyBody, parameter);
        var ordered = descending ? query.OrderByDescending(sortKey).ThenByDescending(id) : query.OrderBy(sortKey).ThenBy(id);
        var items = await ordered.Take(limit + 1).ToListAsync(ct);
        string? next = null;
        if (items.Count > limit)
        {
            var last = items[limit - 1];
            next = EncodeCursor(sortKey.Compile()(last), id.Compile()(last));
        }

        return new Page<T>(items.Take(limit).ToList(), next);
    }

    private const int MaxSortedCursorLength = 4096;

    private static BinaryExpression Beyond<TKey>(Expression column, Expression value, bool descending)
    {
        if (typeof(TKey) == typeof(string))
        {
            var compare = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, column, value);
            return descending ? Expression.LessThan(compare, Expression.Constant(0)) : Expression.GreaterThan(compare, Expression.Constant(0));
        }

        return descending ? Expression.LessThan(column, value) : Expression.GreaterThan(column, value);
    }

    private static string EncodeCursor<TKey>(TKey key, string id)
    {
        var text = (key is IFormattable f ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture) : key?.ToString() ?? string.Empty) + "\u001f" + id;
        return "k" + Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(text));
    }

    private static (TKey Key, string Id) DecodeCursor<TKey>(string cursor)
    {
        var bad = new Domain.Common.DomainValidationException("cursor", "cursor is not a value this list returned as next_cursor.");
        if (cursor.Length > MaxSortedCursorLength || cursor.Length % 2 == 0 || cursor[0] != 'k')
        {
            throw bad;
        }

        string text;
        try
        {
            text = System.Text.Encoding.UTF8.GetString(Convert.FromHexString(cursor.AsSpan(1)));
        }
        catch (FormatException)
        {
            throw bad;
        }

        var split = text.LastIndexOf('\u001f');
        if (split < 0)
        {
            throw bad;
        }

        var keyText = text[..split];
        var id = text[(split + 1)..];
        if (id.Length is 0 or > Domain.Common.Ids.MaxLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw bad;
        }

        if (typeof(TKey) == typeof(string))
        {
            return ((TKey)(object)keyText, id);
        }

        if (typeof(TKey) == typeof(long) && long.TryParse(keyText, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return ((TKey)(object)number, id);
        }

        throw bad;
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

/// <summary>A list's order: one of the keys the list offers (<see cref="SortKeys{T}"/>) and its direction.</summary>
/// <param name="Key">The key's wire name ("name", "number", "created", …).</param>
/// <param name="Descending">True for Z→A / newest / largest first.</param>
public sealed record ListSort(string Key, bool Descending);

/// <summary>
/// The sort keys one list offers, by wire name: text keys (compared by the database's collation) and whole-number
/// keys (amounts in minor units). Every key is tie-broken by the row's id for a stable keyset.
/// </summary>
public sealed class SortKeys<T>
{
    internal delegate Task<Page<T>> Reader(IQueryable<T> query, Expression<Func<T, string>> id, bool descending, string? cursor, int limit, CancellationToken ct);

    private readonly Dictionary<string, Reader> _keys = new(StringComparer.Ordinal);

    /// <summary>The wire names offered.</summary>
    public IEnumerable<string> Names => _keys.Keys;

    /// <summary>Adds a text key.</summary>
    public SortKeys<T> Text(string name, Expression<Func<T, string>> key)
    {
        _keys[name] = (q, id, d, c, l, ct) => Paging.ReadKeysetAsync(q, id, key, d, c, l, ct);
        return this;
    }

    /// <summary>Adds a whole-number key (e.g. an amount in minor units).</summary>
    public SortKeys<T> Number(string name, Expression<Func<T, long>> key)
    {
        _keys[name] = (q, id, d, c, l, ct) => Paging.ReadKeysetAsync(q, id, key, d, c, l, ct);
        return this;
    }

    internal bool TryGet(string name, out Reader read) => _keys.TryGetValue(name, out read!);
}
