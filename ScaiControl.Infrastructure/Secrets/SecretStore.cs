using Microsoft.EntityFrameworkCore;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Secrets;

/// <summary>
/// Where secrets live, addressed by path (spec 001: signing secrets are ScaiVault paths resolved at use time). The
/// default is <see cref="LocalSecretStore"/> (a table of this database); a ScaiVault client plugs in here.
/// </summary>
public interface ISecretStore
{
    /// <summary>The secret at <paramref name="path"/>.</summary>
    /// <exception cref="KeyNotFoundException">Nothing is stored at the path.</exception>
    Task<string> ReadAsync(string path, CancellationToken ct = default);

    /// <summary>Stores <paramref name="value"/> at <paramref name="path"/> (a new path per secret version; paths are never overwritten).</summary>
    /// <exception cref="InvalidOperationException">The path is already taken.</exception>
    Task WriteAsync(string path, string value, CancellationToken ct = default);
}

/// <summary>A secret held by <see cref="LocalSecretStore"/>: path → value. Never exposed by any API.</summary>
public sealed class LocalSecret
{
    private LocalSecret() { }

    /// <summary>A secret at <paramref name="path"/>.</summary>
    public LocalSecret(string path, string value, DateTimeOffset now)
    {
        Path = path;
        Value = value;
        CreatedAt = now;
    }

    public string Path { get; private set; } = default!;
    public string Value { get; private set; } = default!;
    public DateTimeOffset CreatedAt { get; private set; }
}

/// <summary>
/// The default secret store: rows of the local_secrets table. Not encrypted at rest beyond what the database does;
/// production deployments point <see cref="ISecretStore"/> at ScaiVault instead.
/// </summary>
public sealed class LocalSecretStore(ScaiDbFactory factory, TimeProvider clock) : ISecretStore
{
    /// <inheritdoc/>
    public async Task<string> ReadAsync(string path, CancellationToken ct = default)
    {
        await using var db = factory.ForPlatform("secret-store");
        return await db.LocalSecrets.AsNoTracking().Where(s => s.Path == path).Select(s => s.Value).SingleOrDefaultAsync(ct)
            ?? throw new KeyNotFoundException($"No secret at '{path}'.");
    }

    /// <inheritdoc/>
    public async Task WriteAsync(string path, string value, CancellationToken ct = default)
    {
        await using var db = factory.ForPlatform("secret-store");
        db.LocalSecrets.Add(new LocalSecret(path, value, clock.GetUtcNow()));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e)
        {
            throw new InvalidOperationException($"A secret already exists at '{path}'.", e);
        }
    }
}
