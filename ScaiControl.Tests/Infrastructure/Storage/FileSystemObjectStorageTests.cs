using ScaiControl.Infrastructure.Storage;

namespace ScaiControl.Tests.Infrastructure.Storage;

/// <summary>The object-storage contract against <see cref="FileSystemObjectStorage"/> in a fresh temp folder.</summary>
public sealed class FileSystemObjectStorageTests : ObjectStorageContract, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"scai-objects-{Guid.NewGuid():N}");

    public FileSystemObjectStorageTests() =>
        Storage = new FileSystemObjectStorage(new StorageOptions { Provider = "FileSystem", Root = _root });

    /// <inheritdoc/>
    protected override IObjectStorage Storage { get; }

    [Fact]
    public async Task Put_WritesTheFileUnderTheRoot_AndLeavesNoTempFile()
    {
        var payload = PdfLikePayload();

        await Storage.PutAsync("invoices/ptr_X/inv_Y.pdf", payload, "application/pdf");

        Assert.Equal(payload, await File.ReadAllBytesAsync(Path.Combine(_root, "invoices", "ptr_X", "inv_Y.pdf")));
        Assert.Equal(["inv_Y.pdf"], Directory.GetFiles(Path.Combine(_root, "invoices", "ptr_X")).Select(Path.GetFileName));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
