using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Payments;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Secrets;

namespace ScaiControl.Infrastructure.Payments;

/// <summary>
/// Finds the provider a partner's tenants pay through (issue 16: one provider per partner, credentials by vault path).
/// Providers without credentials (the test provider, and any the host registers) come from DI by name; Stripe is built
/// per credentials: the partner's <c>CredentialsVaultPath</c> (JSON, <see cref="StripeCredentials"/>), else the
/// node-wide <c>Payments:Stripe:SecretKey</c> / <c>Payments:Stripe:WebhookSecret</c> (each also as <c>…VaultPath</c>).
/// <c>Payments:Stripe:ApiBase</c> overrides Stripe's API base (tests). Built providers are cached per credentials.
/// </summary>
public sealed class PaymentProviderResolver(IEnumerable<IPaymentProvider> registered, ISecretStore secrets, IConfiguration configuration, TimeProvider clock, IHttpClientFactory http)
{
    private readonly ConcurrentDictionary<StripeCredentials, StripePaymentProvider> _stripe = new();

    /// <summary>The provider of <paramref name="settings"/>; null for bank transfer or a provider this node can't reach.</summary>
    /// <exception cref="DomainValidationException">The partner's Stripe credentials are malformed.</exception>
    /// <exception cref="KeyNotFoundException">The vault path names no secret.</exception>
    /// <exception cref="SecretStoreUnavailableException">The vault can't answer (fail closed).</exception>
    public async Task<IPaymentProvider?> ForAsync(PartnerPaymentSettings settings, CancellationToken ct)
    {
        if (registered.FirstOrDefault(p => p.Name == settings.Provider) is { } fixedProvider)
        {
            return fixedProvider;
        }

        return settings.Provider == PaymentProviders.Stripe ? await StripeAsync(settings.CredentialsVaultPath, ct) : null;
    }

    /// <summary>
    /// Every account a webhook of <paramref name="providerName"/> may come from, with the partner it belongs to (null:
    /// a node-wide provider): the registered provider, or one Stripe provider per partner that collects through Stripe.
    /// </summary>
    /// <exception cref="NotFoundException">No such provider on this node.</exception>
    public async Task<IReadOnlyList<(IPaymentProvider Provider, string? PartnerId)>> ForWebhookAsync(ScaiDbContext db, string providerName, CancellationToken ct)
    {
        if (registered.FirstOrDefault(p => p.Name == providerName) is { } fixedProvider)
        {
            return [(fixedProvider, null)];
        }

        if (providerName != PaymentProviders.Stripe)
        {
            throw new NotFoundException("payment provider", providerName);
        }

        var partners = await db.Set<PartnerPaymentSettings>().AsNoTracking().Where(s => s.Provider == PaymentProviders.Stripe)
            .Select(s => new { s.PartnerId, s.CredentialsVaultPath }).ToListAsync(ct);
        var found = new List<(IPaymentProvider, string?)>();
        foreach (var p in partners)
        {
            try
            {
                if (await StripeAsync(p.CredentialsVaultPath, ct) is { } provider)
                {
                    found.Add((provider, p.PartnerId));
                }
            }
            catch (Exception e) when (e is KeyNotFoundException or DomainValidationException)
            {
                // A partner with broken credentials can't have signed this webhook; the others are still tried.
            }
        }

        return found.Count > 0 ? found : throw new NotFoundException("payment provider", providerName);
    }

    private async Task<StripePaymentProvider?> StripeAsync(string? vaultPath, CancellationToken ct)
    {
        StripeCredentials credentials;
        if (!string.IsNullOrWhiteSpace(vaultPath))
        {
            credentials = StripeCredentials.Parse(await secrets.ReadAsync(vaultPath, ct));
        }
        else if (await SecretSettings.ResolveAsync(configuration, secrets, "Payments:Stripe:SecretKey", ct) is { } key)
        {
            credentials = new StripeCredentials(key, await SecretSettings.ResolveAsync(configuration, secrets, "Payments:Stripe:WebhookSecret", ct));
        }
        else
        {
            return null;
        }

        return _stripe.GetOrAdd(credentials, c => new StripePaymentProvider(c, configuration["Payments:Stripe:ApiBase"], clock, http.CreateClient("stripe")));
    }
}
