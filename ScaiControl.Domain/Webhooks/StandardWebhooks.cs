using System.Security.Cryptography;
using System.Text;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Webhooks;

/// <summary>
/// Signing compatible with the Standard Webhooks specification (standardwebhooks.com, "Signature scheme"): the
/// signed content is "{webhook-id}.{webhook-timestamp}.{body}", signed with HMAC-SHA256 under the secret's key and
/// sent as "v1,{base64}" in webhook-signature; several signatures (secret rotation) are separated by spaces.
/// Secrets are shown as "whsec_" + base64 of the key.
/// </summary>
public static class StandardWebhooks
{
    /// <summary>The secret prefix.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>How far a timestamp may be from now when verifying (the specification suggests 5 minutes).</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>A new random secret: "whsec_" + base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes of a "whsec_..." secret.</summary>
    /// <exception cref="DomainValidationException">Not "whsec_" + base64 of at least 24 bytes.</exception>
    public static byte[] KeyOf(string secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            throw new DomainValidationException("secret", "A signing secret starts with whsec_.");
        }

        try
        {
            var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
            return key.Length >= 24 ? key : throw new DomainValidationException("secret", "A signing secret holds at least 24 bytes.");
        }
        catch (FormatException)
        {
            throw new DomainValidationException("secret", "A signing secret is whsec_ followed by base64.");
        }
    }

    /// <summary>"v1,{base64 HMAC-SHA256 of id.timestamp.body}" for one secret.</summary>
    public static string Sign(string secret, string messageId, long unixTimestamp, string body)
    {
        var content = Encoding.UTF8.GetBytes($"{messageId}.{unixTimestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), content));
    }

    /// <summary>
    /// The three headers of a delivery: webhook-id, webhook-timestamp (Unix seconds) and webhook-signature with one
    /// signature per secret (the current one first; during rotation the previous one too).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Headers(IReadOnlyList<string> secrets, string messageId, DateTimeOffset now, string body)
    {
        var timestamp = now.ToUnixTimeSeconds();
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["webhook-id"] = messageId,
            ["webhook-timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["webhook-signature"] = string.Join(' ', secrets.Select(s => Sign(s, messageId, timestamp, body))),
        };
    }

    /// <summary>
    /// Verifies a delivery as a consumer would: some "v1," signature in <paramref name="signatureHeader"/> matches
    /// (constant-time) and the timestamp lies within <see cref="Tolerance"/> of <paramref name="now"/>.
    /// </summary>
    public static bool Verify(string secret, string messageId, string timestampHeader, string signatureHeader, string body, DateTimeOffset now)
    {
        if (!long.TryParse(timestampHeader, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var timestamp)
            || (now - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > Tolerance)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, messageId, timestamp, body));
        return signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(candidate => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), expected));
    }
}
