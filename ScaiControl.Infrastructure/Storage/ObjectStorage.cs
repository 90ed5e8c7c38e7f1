using Minio;

namespace ScaiControl.Infrastructure.Storage;

/// <summary>Object storage for invoice PDFs and assets (spec 000: S3-compatible store). Keys are '/'-separated relative paths.</summary>
public interface IObjectStorage
{
    /// <summary>
    /// Stores an object once: true when written, false when the key already holds an object, which is left as it was
    /// (objects are immutable: a finalised document is never overwritten; the caller reads the stored one).
    /// </summary>
    Task<bool> PutAsync(string key, byte[] content, string contentType, CancellationToken ct = default);

    /// <summary>Reads an object; null when it does not exist.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct = default);

    /// <summary>True when the store answers (health check: the folder is writable, or the bucket exists).</summary>
    Task<bool> IsReachableAsync(CancellationToken ct = default);
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

/// <summary>An S3-compatible bucket: ServiceUrl (empty for AWS), Region, Bucket, AccessKey, SecretKey (ForcePathStyle is kept for old settings: the Minio client always addresses a ServiceUrl path-style).</summary>
public sealed class S3StorageOptions
{
    public string? ServiceUrl { get; set; }
    public string Region { get; set; } = "eu-central-1";
    public string Bucket { get; set; } = "scaicontrol";
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public bool ForcePathStyle { get; set; } = true;
}

/// <summary>Files under a root folder; writes go to a temp file first and are moved into place (never over an existing file), so a reader never sees half a PDF.</summary>
public sealed class FileSystemObjectStorage(StorageOptions options) : IObjectStorage
{
    private readonly string _root = Path.GetFullPath(options.Root);

    /// <inheritdoc/>
    public async Task<bool> PutAsync(string key, byte[] content, string contentType, CancellationToken ct = default)
    {
        var path = PathOf(key);
        if (File.Exists(path))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temp, content, ct);
        try
        {
            File.Move(temp, path, overwrite: false); // atomic; fails when another writer got there first
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return false;
        }
    }

    /// <inheritdoc/>
    public Task<bool> IsReachableAsync(CancellationToken ct = default)
    {
        try
        {
            Directory.CreateDirectory(_root);
            var probe = Path.Combine(_root, $".health-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return Task.FromResult(true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(false);
        }
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

/// <summary>
/// An S3-compatible bucket through the Minio client (path-style addressing, as MinIO and s3rver expect; AWS when no
/// ServiceUrl is set). Objects are written once: a put first asks whether the key exists (HEAD) and sends
/// If-None-Match: * so a server that supports conditional writes (MinIO, AWS S3) also refuses a put that races
/// another node's. Nothing here lists the bucket (s3rver's listing is not readable by the client).
/// </summary>
public sealed class S3ObjectStorage : IObjectStorage, IDisposable
{
    private readonly StorageOptions _options;
    private readonly Minio.IMinioClient _client;

    /// <summary>Builds the client from Storage:S3:*.</summary>
    /// <exception cref="UriFormatException">ServiceUrl is not an absolute URL.</exception>
    public S3ObjectStorage(StorageOptions options)
    {
        _options = options;
        var endpoint = string.IsNullOrEmpty(options.S3.ServiceUrl) ? new Uri($"https://s3.{options.S3.Region}.amazonaws.com") : new Uri(options.S3.ServiceUrl);
        _client = new Minio.MinioClient()
            .WithEndpoint(endpoint.Host, endpoint.Port)
            .WithSSL(endpoint.Scheme == Uri.UriSchemeHttps)
            .WithRegion(options.S3.Region)
            .WithCredentials(options.S3.AccessKey, options.S3.SecretKey)
            .Build();
    }

    /// <inheritdoc/>
    public async Task<bool> PutAsync(string key, byte[] content, string contentType, CancellationToken ct = default)
    {
        Checked(key);
        if (await ExistsAsync(key, ct))
        {
            return false;
        }

        using var stream = new MemoryStream(content, writable: false);
        try
        {
            await _client.PutObjectAsync(new Minio.DataModel.Args.PutObjectArgs()
                .WithBucket(_options.S3.Bucket)
                .WithObject(key)
                .WithStreamData(stream)
                .WithObjectSize(content.LongLength)
                .WithContentType(contentType)
                .WithHeaders(new Dictionary<string, string>(StringComparer.Ordinal) { ["If-None-Match"] = "*" }), ct);
            return true;
        }
        catch (Minio.Exceptions.MinioException e) when (e.Response?.Code is "PreconditionFailed")
        {
            return false; // another node wrote it first
        }
    }

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        Checked(key);
        using var buffer = new MemoryStream();
        try
        {
            await _client.GetObjectAsync(new Minio.DataModel.Args.GetObjectArgs()
                .WithBucket(_options.S3.Bucket)
                .WithObject(key)
                .WithCallbackStream(async (stream, c) => await stream.CopyToAsync(buffer, c)), ct);
        }
        catch (Minio.Exceptions.ObjectNotFoundException)
        {
            return null;
        }

        return buffer.ToArray();
    }

    /// <summary>True when the bucket holds <paramref name="key"/> (a HEAD request; no listing).</summary>
    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default)
    {
        try
        {
            await _client.StatObjectAsync(new Minio.DataModel.Args.StatObjectArgs().WithBucket(_options.S3.Bucket).WithObject(Checked(key)), ct);
            return true;
        }
        catch (Minio.Exceptions.ObjectNotFoundException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async Task<bool> IsReachableAsync(CancellationToken ct = default)
    {
        try
        {
            return await _client.BucketExistsAsync(new Minio.DataModel.Args.BucketExistsArgs().WithBucket(_options.S3.Bucket), ct);
        }
        catch (Exception e) when (e is Minio.Exceptions.MinioException or HttpRequestException or TimeoutException)
        {
            return false;
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
