using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Domain.Common;

/// <summary>Ids are a type prefix, an underscore and 26 Crockford base32 characters.</summary>
public sealed class IdsTests
{
    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    [Fact]
    public void New_HasPrefixAndTwentySixCrockfordCharacters()
    {
        var id = Ids.New("sub");

        Assert.StartsWith("sub_", id, StringComparison.Ordinal);
        Assert.Equal(30, id.Length);
        Assert.All(id[4..], c => Assert.Contains(c, Crockford));
        Assert.True(id.Length <= Ids.MaxLength);
    }

    [Fact]
    public void New_IsUnique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => Ids.New("evt")).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(1000, ids.Count);
    }

    [Fact]
    public void New_StartsWithTheTimestampSoLaterMillisecondsSortLater()
    {
        // A UUIDv7 begins with 48 bits of Unix milliseconds; the first 10 base32 digits (50 bits) hold them.
        var first = Ids.New("inv");
        var deadline = DateTime.UtcNow.AddMilliseconds(3);
        while (DateTime.UtcNow < deadline)
        {
            // wait for the clock to move on by a few milliseconds
        }

        var second = Ids.New("inv");

        Assert.True(string.CompareOrdinal(first, second) < 0, $"{first} should sort before {second}");
    }
}
