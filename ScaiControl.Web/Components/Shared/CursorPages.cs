namespace ScaiControl.Web.Components.Shared;

/// <summary>
/// Server-side paging over the services' cursor pages (newest first): remembers the cursor of every page visited, so
/// "Previous" goes back without offsets and "Next" follows the page's next cursor.
/// </summary>
public sealed class CursorPages
{
    private readonly List<string?> _cursors = [null];

    /// <summary>Zero-based index of the page shown.</summary>
    public int Index { get; private set; }

    /// <summary>The cursor to read the page shown with (null for the first page).</summary>
    public string? Current => _cursors[Index];

    /// <summary>The next cursor of the page shown; null on the last page.</summary>
    public string? NextCursor { get; private set; }

    /// <summary>True when there is a page before this one.</summary>
    public bool HasPrevious => Index > 0;

    /// <summary>True when there is a page after this one.</summary>
    public bool HasNext => NextCursor is not null;

    /// <summary>Records the next cursor of the page just read.</summary>
    public void Loaded(string? nextCursor) => NextCursor = nextCursor;

    /// <summary>Moves to the next page (call, then read <see cref="Current"/>).</summary>
    public void MoveNext()
    {
        if (NextCursor is null)
        {
            return;
        }

        Index++;
        if (_cursors.Count > Index)
        {
            _cursors[Index] = NextCursor;
            _cursors.RemoveRange(Index + 1, _cursors.Count - Index - 1);
        }
        else
        {
            _cursors.Add(NextCursor);
        }
    }

    /// <summary>Moves to the previous page.</summary>
    public void MovePrevious()
    {
        if (Index > 0)
        {
            Index--;
        }
    }

    /// <summary>Back to the first page (e.g. after the filter changed).</summary>
    public void Reset()
    {
        _cursors.Clear();
        _cursors.Add(null);
        Index = 0;
        NextCursor = null;
    }
}
