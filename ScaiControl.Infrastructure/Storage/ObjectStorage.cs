using Amazon.S3;
using Amazon.S3.Model;

namespace ScaiControl.Infrastructure.Storage;

/// <summary>Object storage for invoice PDFs and assets (spec 000: S3-compatible store). Keys are '/'-separated relative paths.</summary>
public interface IObjectStorage
{
    /// <summary>Stores (or replaces) an object.</summary>
    Task PutAsync(string key, byte[] content, string contentType, CancellationToken ct = default);

    /// <summary>Reads an object; null when it does not exist.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct = default);
}

/// <summary>Storage settings: Storage:Provider ("FileSystem" | "S3"), Storage:Root, Storage:S3:*.</summary>
public sealed class StorageOptions
{
    /// <summary>"FileSystem" (default) or "S3".</summary>
    public string Provider { get; set; } = "FileSystem";

    /// <summary>Root folder of the filesystem store (default &lt;DataDirectory&gt;/objects).</summary>
    public string Root { get; set; } = "data/objects";

    /// <summary>S3 settings, used when <see cref="Provider"/> is "S3".</summary>
    public S3StorageOptions S3 { get; set; } = new();
}

/// <summary>An S3-compatible bucket: ServiceUrl (empty for AWS), Region, Bucket, AccessKey, SecretKey, ForcePathStyle.</summary>
public sealed class S3StorageOptions
{
    public string? ServiceUrl { get; set; }
    public string Region { get; set; } = "eu-central-1";
    public string Bucket { get; set; } = "scaicontrol";
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public bool ForcePathStyle { get; set; } = true;
}

/// <summary>Files under a root folder; writes go to a temp file first and are moved into place, so a reader never sees half a PDF.</summary>
public sealed class FileSystemObjectStorage(StorageOptions options) : IObjectStorage
{
    private readonly string _root = Path.GetFullPath(options.Root);

    /// <inheritdoc/>
    public async Task PutAsync(string key, byte[] content, string contentType, CancellationToken ct = default)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temp, content, ct);
        File.Move(temp, path, overwrite: true);
    }

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, ct) : null;
    }

    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, key));
        return path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new ArgumentException($"Object key '{key}' leaves the storage root.", nameof(key));
    }
}

/// <summary>An S3-compatible bucket through AWSSDK.S3 (path-style addressing for MinIO/s3rver-like servers).</summary>
public sealed class S3ObjectStorage(StorageOptions options) : IObjectStorage, IDisposable
{
    private readonly AmazonS3Client _client = new(
        options.S3.AccessKey, options.S3.SecretKey,
        string.IsNullOrEmpty(options.S3.ServiceUrl)
            ? new AmazonS3Config { RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.S3.Region) }
            : new AmazonS3Config { ServiceURL = options.S3.ServiceUrl, ForcePathStyle = options.S3.ForcePathStyle, AuthenticationRegion = options.S3.Region });

    /// <inheritdoc/>
    public async Task PutAsync(string key, byte[] content, string contentType, CancellationToken ct = default)
    {
        using var stream = new MemoryStream(content, writable: false);
        await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = options.S3.Bucket,
            Key = Checked(key),
            InputStream = stream,
            ContentType = contentType,
            UseChunkEncoding = false,
        }, ct);
    }

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        try
        {
            using var response = await _client.GetObjectAsync(options.S3.Bucket, Checked(key), ct);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Same rule as the filesystem store: a key is a relative path that stays under the root. S3 itself would take "../x"
    /// or "/x" as an object name (and path-style URLs may resolve the dots), so they are refused here rather than stored.
    /// </summary>
    private static string Checked(string key) =>
        key.StartsWith('/') || key.Split('/').Contains("..")
            ? throw new ArgumentException($"Object key '{key}' leaves the storage root.", nameof(key))
            : key;
}
