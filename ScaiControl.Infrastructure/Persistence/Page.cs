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
}
