using Minio;
using ScaiControl.Infrastructure.Storage;

namespace ScaiControl.Tests.Infrastructure.Storage;

/// <summary>
/// The object-storage contract against <see cref="S3ObjectStorage"/> (Minio client) talking to a real S3-compatible server (s3rver, started
/// by <see cref="S3rverFixture"/>), configured as the app would be with Storage:Provider=S3.
/// </summary>
public sealed class S3ObjectStorageTests : ObjectStorageContract, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly S3rverFixture _server;
    private readonly S3ObjectStorage _storage;

    public S3ObjectStorageTests(S3rverFixture server)
    {
        _server = server;
        _storage = new S3ObjectStorage(new StorageOptions
        {
            Provider = "S3",
            S3 = new S3StorageOptions
            {
                ServiceUrl = server.ServiceUrl,
                Bucket = S3rverFixture.Bucket,
                AccessKey = S3rverFixture.AccessKey,
                SecretKey = S3rverFixture.SecretKey,
                Region = "us-east-1",
                ForcePathStyle = true,
            },
        });
    }

    /// <inheritdoc/>
    protected override IObjectStorage Storage => _storage;

    [Fact]
    public async Task Put_StoresExactlyTheBytesSent_NoChunkFraming()
    {
        // What the server keeps on disk, not what the SDK reads back: aws-chunked framing ("<hex>;chunk-signature=...")
        // would be stored by s3rver as part of the object.
        var key = Key("invoices/ptr_X/inv_Y.pdf");
        var payload = PdfLikePayload();

        await Storage.PutAsync(key, payload, "application/pdf");

        var stored = await File.ReadAllBytesAsync(
            Path.Combine([_server.Directory, S3rverFixture.Bucket, .. key.Split('/')]) + "._S3rver_object");
        Assert.Equal(payload, stored);
    }

    [Fact]
    public async Task Put_KeepsTheContentType()
    {
        var key = Key("typed.pdf");
        await Storage.PutAsync(key, PdfLikePayload(size: 1024), "application/pdf");

        using var client = new MinioClient().WithEndpoint("127.0.0.1", _server.Port).WithSSL(false).WithRegion("us-east-1")
            .WithCredentials(S3rverFixture.AccessKey, S3rverFixture.SecretKey).Build();
        var metadata = await client.StatObjectAsync(new Minio.DataModel.Args.StatObjectArgs().WithBucket(S3rverFixture.Bucket).WithObject(key));

        Assert.Equal("application/pdf", metadata.ContentType);
        Assert.Equal(1024, metadata.Size);
    }

    /// <inheritdoc/>
    public void Dispose() => _storage.Dispose();
}
