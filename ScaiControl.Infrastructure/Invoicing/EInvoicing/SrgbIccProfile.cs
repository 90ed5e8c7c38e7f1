using System.Buffers.Binary;
using System.Text;

namespace ScaiControl.Infrastructure.Invoicing.EInvoicing;

/// <summary>
/// A small ICC v2.1 RGB display profile for sRGB (IEC 61966-2-1), written here rather than shipped as a file, for the
/// PDF/A OutputIntent of Factur-X documents. Matrix/TRC model: the sRGB primaries adapted to D50 (Bradford), the D65
/// media white point and the sRGB tone curve sampled at 1024 points, with the tags ICC.1:2001-04 requires of a
/// three-component display profile (desc, cprt, wtpt, rXYZ, gXYZ, bXYZ, rTRC, gTRC, bTRC). Same bytes on every call.
/// </summary>
public static class SrgbIccProfile
{
    /// <summary>The OutputIntent's OutputConditionIdentifier and Info for this profile.</summary>
    public const string Description = "sRGB IEC61966-2.1";

    private static readonly Lazy<byte[]> Profile = new(Build);

    /// <summary>The profile bytes (a copy).</summary>
    public static byte[] Bytes => (byte[])Profile.Value.Clone();

    private static byte[] Build()
    {
        var tags = new List<(string Signature, byte[] Data)>
        {
            ("desc", TextDescription(Description)),
            ("cprt", Text("No copyright, use freely")),
            ("wtpt", Xyz(0.9505, 1.0, 1.0891)),
            ("rXYZ", Xyz(0.4360747, 0.2225045, 0.0139322)),
            ("gXYZ", Xyz(0.3850649, 0.7168786, 0.0971045)),
            ("bXYZ", Xyz(0.1430804, 0.0606169, 0.7141733)),
        };
        var curve = SrgbCurve();

        // The three TRC tags share one curve (ICC allows tags to point at the same data).
        var tagCount = tags.Count + 3;
        var offset = Align(128 + 4 + (12 * tagCount));
        var table = new List<(string Signature, int Offset, int Size)>();
        var body = new MemoryStream();
        foreach (var (signature, data) in tags)
        {
            table.Add((signature, offset + (int)body.Length, data.Length));
            body.Write(data);
            Pad(body);
        }

        var curveOffset = offset + (int)body.Length;
        body.Write(curve);
        Pad(body);
        foreach (var trc in new[] { "rTRC", "gTRC", "bTRC" })
        {
            table.Add((trc, curveOffset, curve.Length));
        }

        var size = offset + (int)body.Length;
        var profile = new byte[size];
        var span = profile.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span[0..], (uint)size);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], 0x02100000);
        Ascii("mntr").CopyTo(span[12..]);
        Ascii("RGB ").CopyTo(span[16..]);
        Ascii("XYZ ").CopyTo(span[20..]);
        ushort[] created = [2026, 1, 1, 0, 0, 0];
        for (var i = 0; i < created.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[(24 + (2 * i))..], created[i]);
        }

        Ascii("acsp").CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32BigEndian(span[68..], S15Fixed16(0.9642));
        BinaryPrimitives.WriteInt32BigEndian(span[72..], S15Fixed16(1.0));
        BinaryPrimitives.WriteInt32BigEndian(span[76..], S15Fixed16(0.8249));
        BinaryPrimitives.WriteUInt32BigEndian(span[128..], (uint)tagCount);
        for (var i = 0; i < table.Count; i++)
        {
            var entry = span[(132 + (12 * i))..];
            Ascii(table[i].Signature).CopyTo(entry);
            BinaryPrimitives.WriteUInt32BigEndian(entry[4..], (uint)table[i].Offset);
            BinaryPrimitives.WriteUInt32BigEndian(entry[8..], (uint)table[i].Size);
        }

        body.ToArray().CopyTo(span[offset..]);
        return profile;
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static int Align(int value) => (value + 3) & ~3;

    private static void Pad(MemoryStream stream)
    {
        while (stream.Length % 4 != 0)
        {
            stream.WriteByte(0);
        }
    }

    private static int S15Fixed16(double value) => (int)Math.Round(value * 65536.0);

    private static byte[] Xyz(double x, double y, double z)
    {
        var data = new byte[20];
        Ascii("XYZ ").CopyTo(data, 0);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(8), S15Fixed16(x));
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(12), S15Fixed16(y));
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(16), S15Fixed16(z));
        return data;
    }

    /// <summary>textType: signature, reserved, NUL-terminated ASCII.</summary>
    private static byte[] Text(string text)
    {
        var data = new byte[8 + text.Length + 1];
        Ascii("text").CopyTo(data, 0);
        Ascii(text).CopyTo(data, 8);
        return data;
    }

    /// <summary>ICC v2 textDescriptionType: ASCII part, an empty Unicode part and an empty 67-byte ScriptCode part.</summary>
    private static byte[] TextDescription(string text)
    {
        var ascii = text.Length + 1;
        var data = new byte[8 + 4 + ascii + 4 + 4 + 2 + 1 + 67];
        Ascii("desc").CopyTo(data, 0);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), (uint)ascii);
        Ascii(text).CopyTo(data, 12);
        return data;
    }

    /// <summary>curveType with the sRGB transfer function (linear below 0.04045, else a 2.4 power) at 1024 points.</summary>
    private static byte[] SrgbCurve()
    {
        const int points = 1024;
        var data = new byte[12 + (2 * points)];
        Ascii("curv").CopyTo(data, 0);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), points);
        for (var i = 0; i < points; i++)
        {
            var c = i / (double)(points - 1);
            var linear = c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(12 + (2 * i)), (ushort)Math.Round(linear * 65535.0));
        }

        return data;
    }
}
