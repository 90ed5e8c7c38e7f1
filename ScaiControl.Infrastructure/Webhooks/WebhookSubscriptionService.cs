using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Webhooks;

/// <summary>
/// Creating and listing webhook subscribers (the operator's admin API). The URL is checked with
/// <see cref="WebhookUrlPolicy"/> and the topics with <see cref="TopicFilter"/> before anything is written.
/// </summary>
public sealed class WebhookSubscriptionService(ScaiDbFactory factory, WebhookOptions options, Secrets.ISecretStore secrets, TimeProvider clock)
{
    private readonly WebhookUrlPolicy _urls = new(options.AllowHttp, options.SsrfProtection);

    /// <summary>
    /// Creates an enabled subscriber for <paramref name="partnerId"/> (default: the actor's partner; the operator
    /// partner's subscribers receive every partner's events). Returns the subscriber and its whsec_ secret, shown once;
    /// the secret itself goes to the secret store at the subscriber's SecretPath.
    /// </summary>
    /// <exception cref="DomainValidationException">Bad URL (field "url"), unknown topic (field "topics"), unknown partner (field "partner_id").</exception>
    public async Task<(WebhookSubscription Subscriber, string Secret)> CreateAsync(Actor actor, string? url, IEnumerable<string?>? topics, string? description, string? partnerId, CancellationToken ct = default)
    {
        var uri = await _urls.CheckAsync(url, ct);
        var filter = TopicFilter.Parse(topics);
        if (description is { Length: > 500 })
        {
            throw new DomainValidationException("description", "description holds at most 500 characters.");
        }

        await using var db = await factory.OpenAsync(actor, "create webhook subscription", ct);
        var owner = partnerId ?? actor.PartnerId ?? throw new DomainValidationException("partner_id", "partner_id is required.");
        if (!await db.Partners.AnyAsync(p => p.Id == owner, ct))
        {
            throw new DomainValidationException("partner_id", $"Unknown partner '{owner}'.");
        }

        var id = Ids.New("whs");
        var secret = StandardWebhooks.NewSecret();
        var path = WebhookSubscription.NewSecretPath(id);
        // The secret is stored first: if the subscriber insert then fails, an unreferenced secret is all that remains.
        await secrets.WriteAsync(path, secret, ct);
        var subscriber = new WebhookSubscription(owner, uri.ToString(), filter, description, path, clock.GetUtcNow(), id);
        db.WebhookSubscriptions.Add(subscriber);
        await db.SaveChangesAsync(ct);
        return (subscriber, secret);
    }

    /// <summary>The subscribers the actor may see, oldest first.</summary>
    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        await using var db = await factory.OpenAsync(actor, "list webhook subscriptions", ct);
        return await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
    }
}
