using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Secrets;

/// <summary>
/// Where secrets live, addressed by path (spec 000: "ScaiVault owns API keys and webhook signing secrets. ScaiControl
/// resolves them by vault path at use time"; spec 001: every <c>*_VAULT_PATH</c> resolves through ScaiVault). The
/// embedded default is <see cref="LocalSecretStore"/> (a table of this database, encrypted at rest);
/// <see cref="ScaiVaultSecretStore"/> when <c>Vault:Address</c> is set.
/// </summary>
public interface ISecretStore
{
    /// <summary>The secret at <paramref name="path"/>.</summary>
    /// <exception cref="KeyNotFoundException">Nothing is stored at the path.</exception>
    /// <exception cref="SecretStoreUnavailableException">The store can't answer now and no valid copy is cached (fail closed).</exception>
    Task<string> ReadAsync(string path, CancellationToken ct = default);

    /// <summary>Stores <paramref name="value"/> at <paramref name="path"/> (a new path per secret version; paths are never overwritten).</summary>
    /// <exception cref="InvalidOperationException">The path is already taken.</exception>
    /// <exception cref="SecretStoreUnavailableException">The store can't take it now; nothing was written.</exception>
    Task WriteAsync(string path, string value, CancellationToken ct = default);
}

/// <summary>
/// The secret store can't answer (ScaiVault down, refusing the token, or a local secret this node has no key for).
/// The message names the path and the cause, never a secret value or the vault token.
/// </summary>
public sealed class SecretStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A secret held by <see cref="LocalSecretStore"/>: path → value (protected, see there). Never exposed by any API.</summary>
public sealed class LocalSecret
{
    private LocalSecret() { }

    /// <summary>A secret at <paramref name="path"/>; <paramref name="value"/> as stored (the protected form).</summary>
    public LocalSecret(string path, string value, DateTimeOffset now)
    {
        Path = path;
        Value = value;
        CreatedAt = now;
    }

    public string Path { get; private set; } = default!;

    /// <summary>The stored form: "dp1:" + the ASP.NET Data Protection payload; plain text for rows written before encryption.</summary>
    public string Value { get; private set; } = default!;
    public DateTimeOffset CreatedAt { get; private set; }
}

/// <summary>
/// The embedded default's secret store: rows of the local_secrets table, each value encrypted with ASP.NET Core Data
/// Protection (AES-256-CBC + HMACSHA256, keys rotated every 90 days and kept) under a key ring of its own, kept in
/// <c>Secrets:KeyDirectory</c> (default &lt;DataDirectory&gt;/secret-keys) — outside the database, so a copy of the
/// database alone does not reveal a secret. Nodes sharing a database must share that directory (or use ScaiVault).
/// Rows written before encryption (no "dp1:" prefix) are read as they are.
/// </summary>
public sealed class LocalSecretStore(ScaiDbFactory factory, TimeProvider clock, LocalSecretProtector protector) : ISecretStore
{
    /// <inheritdoc/>
    public async Task<string> ReadAsync(string path, CancellationToken ct = default)
    {
        await using var db = factory.ForPlatform("secret-store");
        var stored = await db.LocalSecrets.AsNoTracking().Where(s => s.Path == path).Select(s => s.Value).SingleOrDefaultAsync(ct)
            ?? throw new KeyNotFoundException($"No secret at '{path}'.");
        return protector.Unprotect(path, stored);
    }

    /// <inheritdoc/>
    public async Task WriteAsync(string path, string value, CancellationToken ct = default)
    {
        await using var db = factory.ForPlatform("secret-store");
        db.LocalSecrets.Add(new LocalSecret(path, protector.Protect(path, value), clock.GetUtcNow()));
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

/// <summary>
/// Encrypts local secrets with one Data Protection purpose (not one per path: a migration may move a value to a new
/// path, as the Webhooks migration did).
/// </summary>
public sealed class LocalSecretProtector
{
    /// <summary>Prefix of the protected form.</summary>
    public const string Prefix = "dp1:";

    private readonly IDataProtector _root;

    /// <summary>A protector over the key ring in <paramref name="keyDirectory"/> (created when missing).</summary>
    public LocalSecretProtector(string keyDirectory)
    {
        Directory.CreateDirectory(keyDirectory);
        KeyDirectory = keyDirectory;
        _root = DataProtectionProvider.Create(new DirectoryInfo(keyDirectory), b => b.SetApplicationName("ScaiControl.Secrets"))
            .CreateProtector("ScaiControl.Secrets.LocalSecretStore");
    }

    /// <summary>Where the key ring is.</summary>
    public string KeyDirectory { get; }

    /// <summary>The stored form of <paramref name="value"/> (<paramref name="path"/> is named in errors only).</summary>
    public string Protect(string path, string value) => Prefix + _root.Protect(value);

    /// <summary>The value of a stored form; plain text (legacy rows) comes back as it is.</summary>
    /// <exception cref="SecretStoreUnavailableException">The key that protected it is not in this node's key ring.</exception>
    public string Unprotect(string path, string stored)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return stored;
        }

        try
        {
            return _root.Unprotect(stored[Prefix.Length..]);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new SecretStoreUnavailableException(
                $"The secret at '{path}' can't be decrypted with the key ring in '{KeyDirectory}' (Secrets:KeyDirectory): nodes sharing a database must share that directory.", e);
        }
    }
}
