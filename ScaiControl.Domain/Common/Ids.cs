namespace ScaiControl.Domain.Common;

/// <summary>
/// Identifiers as the spec shows them: a type prefix, an underscore and 26 Crockford base32 characters of a
/// time-ordered UUIDv7 (e.g. "sub_01JD3Q..."). Sortable by creation time, opaque to clients.
/// </summary>
public static class Ids
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>Maximum stored length of an id (prefix up to 8 characters + "_" + 26).</summary>
    public const int MaxLength = 40;

    /// <summary>Creates a new id with the given prefix (e.g. "tnt").</summary>
    public static string New(string prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7().TryWriteBytes(bytes, bigEndian: true, out _);
        Span<char> chars = stackalloc char[26];
        // 128 bits -> 26 base32 digits (130 bits), most significant first.
        var hi = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var lo = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        var value = new System.Numerics.BigInteger(hi) << 64 | lo;
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return $"{prefix}_{new string(chars)}";
    }
}
