using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Web.Auth;

/// <summary>
/// The development signing key (RSA 2048, PEM under ./data) that stands in for ScaiKey on the embedded default:
/// the dev sign-in and `admin token` issue RS256 JWTs with it, and the API validates them with it. Never loaded
/// outside the Development environment (<see cref="DevSignIn.IsEnabled"/>).
/// </summary>
public sealed class DevSigningKey
{
    private readonly RsaSecurityKey _key;

    private DevSigningKey(RSA rsa)
    {
        _key = new RsaSecurityKey(rsa) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16] };
    }

    /// <summary>The key, for token validation.</summary>
    public SecurityKey Key => _key;

    /// <summary>Loads the PEM at <paramref name="path"/>, creating it (0600) on first use.</summary>
    public static DevSigningKey LoadOrCreate(string path)
    {
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            rsa.ImportFromPem(File.ReadAllText(path));
            return new DevSigningKey(rsa);
        }

        rsa.KeySize = 2048;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            using var writer = new StreamWriter(stream);
            writer.Write(pem);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use that one.
            rsa.ImportFromPem(File.ReadAllText(path));
        }

        return new DevSigningKey(rsa);
    }

    /// <summary>Issues an RS256 JWT with the ScaiKey claims of <paramref name="user"/>, valid for <paramref name="lifetime"/>.</summary>
    public string Issue(User user, string issuer, string audience, TimeSpan lifetime, DateTimeOffset now) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(ScaiClaims.For(user)),
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
}

/// <summary>The one switch of the development sign-in.</summary>
public static class DevSignIn
{
    /// <summary>
    /// True only in the Development environment with Auth:DevSignIn set and no Auth:Authority (the embedded default:
    /// with an identity provider configured, sign-in goes through it). Any other environment ignores the setting, so
    /// the development sign-in cannot be enabled in Production.
    /// </summary>
    public static bool IsEnabled(IHostEnvironment environment, IConfiguration configuration) =>
        environment.IsDevelopment() && configuration.GetValue("Auth:DevSignIn", false) && string.IsNullOrWhiteSpace(configuration["Auth:Authority"]);
}
