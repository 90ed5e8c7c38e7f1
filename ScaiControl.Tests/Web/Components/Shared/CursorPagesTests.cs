using ScaiControl.Web.Components.Shared;

namespace ScaiControl.Tests.Web.Components.Shared;

/// <summary>Cursor paging remembers the cursors of the pages visited.</summary>
public sealed class CursorPagesTests
{
    [Fact]
    public void NextThenPrevious_ReturnsToTheCursorOfEachPage()
    {
        var pages = new CursorPages();
        Assert.Null(pages.Current);
        pages.Loaded("c1");
        pages.MoveNext();
        Assert.Equal("c1", pages.Current);
        pages.Loaded("c2");
        pages.MoveNext();
        Assert.Equal("c2", pages.Current);
        pages.Loaded(null);
        Assert.False(pages.HasNext);

        pages.MovePrevious();
        Assert.Equal("c1", pages.Current);
        pages.MovePrevious();
        Assert.Null(pages.Current);
        Assert.False(pages.HasPrevious);
    }

    [Fact]
    public void Reset_StartsOverAtTheFirstPage()
    {
        var pages = new CursorPages();
        pages.Loaded("c1");
        pages.MoveNext();
        pages.Reset();
        Assert.Equal(0, pages.Index);
        Assert.Null(pages.Current);
        Assert.False(pages.HasNext);
    }
}
