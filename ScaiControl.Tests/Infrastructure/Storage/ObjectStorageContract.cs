using System.Text;
using ScaiControl.Infrastructure.Storage;

namespace ScaiControl.Tests.Infrastructure.Storage;

/// <summary>
/// The behaviour every <see cref="IObjectStorage"/> owes the app, written once: each store's test class derives from this
/// and supplies the store. Keys are unique per test, so tests may share one server or folder.
/// </summary>
public abstract class ObjectStorageContract
{
    private readonly string _prefix = $"contract-{Guid.NewGuid():N}";

    /// <summary>The store under test.</summary>
    protected abstract IObjectStorage Storage { get; }

    /// <summary>A key unique to this test: "&lt;prefix&gt;/&lt;path&gt;".</summary>
    protected string Key(string path) => $"{_prefix}/{path}";

    /// <summary>
    /// About 200 KB shaped like a PDF: the header with its binary-marker line, every byte value (NUL, CR/LF, bytes &gt;= 0x80
    /// that are not valid UTF-8) in a deterministic pseudo-random body, and the trailer. A store that decodes text, adds
    /// chunk framing or truncates cannot return it unchanged.
    /// </summary>
    public static byte[] PdfLikePayload(int seed = 42, int size = 200 * 1024)
    {
        var head = Encoding.Latin1.GetBytes("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\r\n");
        var tail = Encoding.ASCII.GetBytes("\r\nendstream\n%%EOF\n");
        var payload = new byte[size];
        new Random(seed).NextBytes(payload);
        for (var b = 0; b < 256; b++)
        {
            payload[head.Length + b] = (byte)b;
        }

        head.CopyTo(payload, 0);
        tail.CopyTo(payload, size - tail.Length);
        return payload;
    }

    [Fact]
    public async Task Put_ThenGet_ReturnsIdenticalBytes()
    {
        var key = Key("document.pdf");
        var payload = PdfLikePayload();

        await Storage.PutAsync(key, payload, "application/pdf");
        var read = await Storage.GetAsync(key);

        Assert.NotNull(read);
        Assert.Equal(payload.Length, read.Length);
        Assert.Equal(payload, read);
    }

    [Fact]
    public async Task Put_ExistingKey_KeepsTheFirstObject()
    {
        // Objects are immutable once written (a finalised document is never overwritten): a second put is refused.
        var key = Key("written-once.pdf");
        var first = PdfLikePayload(seed: 1);
        Assert.True(await Storage.PutAsync(key, first, "application/pdf"));

        var shorter = PdfLikePayload(seed: 2, size: 10 * 1024);
        Assert.False(await Storage.PutAsync(key, shorter, "application/pdf"));

        Assert.Equal(first, await Storage.GetAsync(key));
    }

    [Fact]
    public async Task IsReachable_WhenTheStoreAnswers()
    {
        Assert.True(await Storage.IsReachableAsync());
    }

    [Fact]
    public async Task Get_MissingKey_ReturnsNull()
    {
        Assert.Null(await Storage.GetAsync(Key("missing.pdf")));
        Assert.Null(await Storage.GetAsync(Key("no/such/folder/missing.pdf")));
    }

    [Fact]
    public async Task Put_KeyWithSlashes_KeepsObjectsApart()
    {
        var first = Key("invoices/ptr_X/inv_Y.pdf");
        var second = Key("invoices/ptr_X/inv_Z.pdf");
        var otherPartner = Key("invoices/ptr_W/inv_Y.pdf");
        byte[] a = PdfLikePayload(seed: 10), b = PdfLikePayload(seed: 11), c = PdfLikePayload(seed: 12);

        await Storage.PutAsync(first, a, "application/pdf");
        await Storage.PutAsync(second, b, "application/pdf");
        await Storage.PutAsync(otherPartner, c, "application/pdf");

        Assert.Equal(a, await Storage.GetAsync(first));
        Assert.Equal(b, await Storage.GetAsync(second));
        Assert.Equal(c, await Storage.GetAsync(otherPartner));
        Assert.Null(await Storage.GetAsync(Key("invoices/ptr_X")));
    }

    [Fact]
    public async Task Put_EmptyContent_ReadsBackEmpty()
    {
        var key = Key("empty.bin");

        await Storage.PutAsync(key, [], "application/octet-stream");

        var read = await Storage.GetAsync(key);
        Assert.NotNull(read);
        Assert.Empty(read);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("invoices/../../x")]
    [InlineData("/etc/x")]
    public async Task Key_LeavingTheRoot_IsRefused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.PutAsync(key, [1, 2, 3], "application/octet-stream"));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.GetAsync(key));
    }
}
