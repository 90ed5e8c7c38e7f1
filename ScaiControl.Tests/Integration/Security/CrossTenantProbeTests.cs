using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Demo;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using Xunit.Abstractions;

namespace ScaiControl.Tests.Integration.Security;

/// <summary>
/// The cross-tenant and cross-partner probe, generated from the app's own endpoint list: every route with a route
/// parameter (API endpoints and portal pages) is called by every demo user but the operator, once with the ids of
/// another tenant of the same partner and once with those of another partner, ids of the right kind taken from the
/// database. No API call succeeds (no 2xx) and no response body carries the other tenant's or partner's data. A
/// route whose id kind the probe does not know fails the test, so a new route cannot slip past it.
/// </summary>
public sealed class CrossTenantProbeTests(SqliteApp app, ITestOutputHelper output) : IClassFixture<SqliteApp>
{
    /// <summary>The kind of the id after each route segment; Shared kinds (catalog data every tenant reads) are probed for writes only.</summary>
    private static readonly Dictionary<string, Kind> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["subscriptions"] = Kind.Subscription,
        ["invoices"] = Kind.Invoice,
        ["tenants"] = Kind.Tenant,
        ["pack-subscriptions"] = Kind.PackSubscription,
        ["webhook-subscriptions"] = Kind.WebhookSubscription,
        ["webhook-deliveries"] = Kind.WebhookDelivery,
        ["templates"] = Kind.Template,
        ["billing-runs"] = Kind.BillingRun,
        ["services"] = Kind.Service,
        ["packs"] = Kind.Pack,
        ["plans"] = Kind.Plan,
        ["change-plan"] = Kind.Plan,
        ["api-keys"] = Kind.ApiKey,
        ["users"] = Kind.User,
        ["partners"] = Kind.Partner, // /api/v1/admin/partners/{id}/payment-provider
        ["registry"] = Kind.RegisteredService, // the admin page /admin/registry/{AppId}
        ["registry/services"] = Kind.RegisteredService, // an app_id (two segments: "services" alone is the catalog's)
    };

    private enum Kind { Subscription, Invoice, Tenant, PackSubscription, WebhookSubscription, WebhookDelivery, Template, BillingRun, Service, Pack, Plan, ApiKey, User, RegisteredService, Partner }

    private static bool IsShared(Kind kind) => kind is Kind.Service or Kind.Pack or Kind.Plan;

    [Fact]
    public async Task EveryRouteWithAnId_CalledByEveryDemoRole_WithAnotherTenantsAndPartnersIds_NeverSucceeds()
    {
        var world = await World.LoadAsync(app);
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.Parameters.Count > 0 && e.RoutePattern.RawText is { } raw && !raw.StartsWith("/_", StringComparison.Ordinal) && !raw.Contains("{*", StringComparison.Ordinal)
                        && !raw.StartsWith("/openapi/", StringComparison.Ordinal) // the API description, by document name
                        && !raw.StartsWith("/api/v1/payments/webhooks/", StringComparison.Ordinal)) // a provider name, not an owned id; signed by the provider (PaymentWebhookTests)
            .ToList();
        var unknown = routes.Where(r => KindsOf(r.RoutePattern.RawText!).Any(k => k is null)).Select(r => r.RoutePattern.RawText).Distinct().ToList();
        Assert.True(unknown.Count == 0, "routes with an id the probe cannot fill: " + string.Join(", ", unknown));
        Assert.Contains(routes, r => r.RoutePattern.RawText!.StartsWith("/api/v1/invoices/{id}", StringComparison.Ordinal));
        Assert.Contains(routes, r => r.RoutePattern.RawText == "/invoices/{Id}");

        var failures = new List<string>();
        var probed = new HashSet<string>(StringComparer.Ordinal);
        var controls = new HashSet<string>(StringComparer.Ordinal);
        var requests = 0;
        foreach (var email in DemoSeeder.DemoEmails.Where(e => e != DemoSeeder.OperatorEmail))
        {
            var actor = await app.ActorForAsync(email);
            var client = await app.ClientForAsync(email);
            foreach (var route in routes)
            {
                var raw = route.RoutePattern.RawText!;
                var isApi = raw.StartsWith("/api/", StringComparison.Ordinal);
                var methods = route.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
                foreach (var method in isApi ? methods : methods.Where(m => m == "GET"))
                {
                    var kinds = KindsOf(raw).Select(k => k!.Value).ToList();
                    var owned = kinds.FirstOrDefault(k => !IsShared(k), kinds[0]);
                    if (IsShared(owned) && method == "GET")
                    {
                        continue; // catalog data every tenant reads
                    }

                    if (isApi && method == "GET" && world.OwnOf(owned, actor) is { } own)
                    {
                        // The control: the same route with the caller's own id works, so the refusals below are not malformed URLs.
                        if ((await client.GetAsync(Fill(route, raw, own, world))).IsSuccessStatusCode)
                        {
                            controls.Add(raw);
                        }
                    }

                    foreach (var victim in world.VictimsOf(owned, actor))
                    {
                        var url = Fill(route, raw, victim, world);
                        using var request = new HttpRequestMessage(new HttpMethod(method), url);
                        if (method is "POST" or "PUT" or "PATCH")
                        {
                            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                        }

                        var response = await client.SendAsync(request);
                        var body = await response.Content.ReadAsStringAsync();
                        requests++;
                        probed.Add(raw);
                        if (isApi && response.IsSuccessStatusCode)
                        {
                            failures.Add($"{email} {method} {url} -> {(int)response.StatusCode}");
                        }

                        foreach (var secret in victim.Data.Where(d => !url.Contains(d, StringComparison.Ordinal)))
                        {
                            if (body.Contains(secret, StringComparison.Ordinal) || body.Contains(WebUtility.HtmlEncode(secret), StringComparison.Ordinal))
                            {
                                failures.Add($"{email} {method} {url} -> {(int)response.StatusCode} shows '{secret}' of {victim.Owner}");
                            }
                        }

                        if ((int)response.StatusCode >= 500)
                        {
                            failures.Add($"{email} {method} {url} -> {(int)response.StatusCode}: {body[..Math.Min(300, body.Length)]}");
                        }
                    }
                }
            }
        }

        output.WriteLine($"{requests} requests over {probed.Count} of {routes.Count} routes; own ids read through {controls.Count} GET routes");
        Assert.Contains("/api/v1/invoices/{id}", controls);
        Assert.Contains("/api/v1/subscriptions/{id}", controls);
        Assert.Contains("/api/v1/tenants/{tenantId}/billing-profile", controls);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var notProbed = routes.Select(r => r.RoutePattern.RawText!).Where(r => !probed.Contains(r) && !KindsOf(r).All(k => IsShared(k!.Value))).Distinct().ToList();
        Assert.True(notProbed.Count == 0, "routes never probed (no victim of their kind): " + string.Join(", ", notProbed));
    }

    /// <summary>The kind of each route parameter: the literal segment before it names it.</summary>
    private static List<Kind?> KindsOf(string raw)
    {
        var segments = raw.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kinds = new List<Kind?>();
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].StartsWith('{'))
            {
                kinds.Add(KindBefore(segments, i));
            }
        }

        return kinds;
    }

    /// <summary>The kind named by the segment(s) before parameter segment <paramref name="i"/>: two segments first ("registry/services"), then one.</summary>
    private static Kind? KindBefore(string[] segments, int i) =>
        i > 1 && Kinds.TryGetValue(segments[i - 2] + "/" + segments[i - 1], out var two) ? two
        : i > 0 && Kinds.TryGetValue(segments[i - 1], out var one) ? one
        : null;

    private static string Fill(RouteEndpoint route, string raw, Victim victim, World world)
    {
        var segments = raw.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].StartsWith('{'))
            {
                var kind = KindBefore(segments, i)!.Value;
                segments[i] = Uri.EscapeDataString(!IsShared(kind) || IsShared(victim.Kind) ? victim.Ids.GetValueOrDefault(kind) ?? victim.Id : world.SharedId(kind));
            }
        }

        _ = route;
        return string.Join('/', segments);
    }

    /// <summary>One target of the probe: an id of <see cref="Kind"/> owned by <see cref="Owner"/>, and what must never show.</summary>
    private sealed record Victim(Kind Kind, string Id, string Owner, IReadOnlyList<string> Data, IReadOnlyDictionary<Kind, string> Ids);

    private sealed class World
    {
        private readonly List<(Kind Kind, string Id, string PartnerId, string? TenantId)> _entities = [];
        private readonly Dictionary<string, (string PartnerId, string Name)> _tenants = [];
        private readonly Dictionary<string, string> _partnerMarkers = [];
        private readonly Dictionary<Kind, string> _shared = [];
        private readonly Dictionary<string, string> _userEmails = [];

        public string SharedId(Kind kind) => _shared[kind];

        public static async Task<World> LoadAsync(SqliteApp app)
        {
            var world = new World();
            var ops = await app.ClientForAsync(Api.Ops);
            await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
            var partners = await db.Partners.ToListAsync();

            // Partner-owned things the demo data lacks: a webhook subscriber (with a delivery) and a template per partner.
            foreach (var partner in partners)
            {
                var marker = $"probe-marker-{partner.Id}";
                world._partnerMarkers[partner.Id] = marker;
                var subscriber = await ops.PostJson("/api/v1/admin/webhook-subscriptions", new { url = $"http://127.0.0.1:9/{marker}", topics = new[] { "*" }, description = marker, partner_id = partner.Id }, HttpStatusCode.Created);
                var evt = await db.OutboxEvents.OrderBy(e => e.Id).FirstAsync();
                db.WebhookDeliveries.Add(new WebhookDelivery(subscriber.Str("id"), evt.Id, Ids.New("idem"), evt.Topic, DateTimeOffset.UtcNow));
                await ops.PostJson("/api/v1/admin/templates", new { name = "invoice", document_type = "invoice", language = "fr", partner_id = partner.Id, body = $"<html><body><p>{marker}</p><p>{{{{number}}}}</p></body></html>" }, HttpStatusCode.Created);
                await ops.PostJson("/api/v1/admin/api-keys", new { name = marker, scopes = new[] { "catalog:read" }, partner_id = partner.Id }, HttpStatusCode.Created);
                var registered = new ScaiControl.Domain.Registry.RegisteredService($"probe-{partner.Id}".ToLowerInvariant()[..30], partner.Id, DateTimeOffset.UtcNow);
                registered.Describe(marker, $"probe-{Guid.NewGuid():N}"[..30], null, new Uri($"http://127.0.0.1:9/{marker}"), new Uri("http://127.0.0.1:9/health"), [], null, 90, DateTimeOffset.UtcNow);
                db.RegisteredServices.Add(registered);
            }

            await db.SaveChangesAsync();
            foreach (var t in await db.Tenants.ToListAsync())
            {
                world._tenants[t.Id] = (t.PartnerId, t.Name);
                world._entities.Add((Kind.Tenant, t.Id, t.PartnerId, t.Id));
            }

            world._entities.AddRange((await db.Subscriptions.ToListAsync()).Select(s => (Kind.Subscription, s.Id, s.PartnerId, (string?)s.TenantId)));
            world._entities.AddRange((await db.Invoices.ToListAsync()).Select(i => (Kind.Invoice, i.Id, i.PartnerId, (string?)i.TenantId)));
            world._entities.AddRange((await db.PackSubscriptions.ToListAsync()).Select(p => (Kind.PackSubscription, p.Id, p.PartnerId, (string?)p.TenantId)));
            world._entities.AddRange((await db.WebhookSubscriptions.ToListAsync()).Select(w => (Kind.WebhookSubscription, w.Id, w.PartnerId, (string?)null)));
            var subscriberPartners = await db.WebhookSubscriptions.ToDictionaryAsync(w => w.Id, w => w.PartnerId);
            world._entities.AddRange((await db.WebhookDeliveries.ToListAsync()).Select(d => (Kind.WebhookDelivery, d.Id, subscriberPartners[d.SubscriptionId], (string?)null)));
            world._entities.AddRange((await db.InvoiceTemplates.Where(t => t.PartnerId != null).ToListAsync()).Select(t => (Kind.Template, t.Id, t.PartnerId!, (string?)null)));
            world._entities.AddRange((await db.ApiKeys.ToListAsync()).Select(k => (Kind.ApiKey, k.Id, k.PartnerId, k.TenantId)));
            foreach (var u in await db.Users.ToListAsync())
            {
                world._entities.Add((Kind.User, u.Id, u.PartnerId, u.TenantId));
                world._userEmails[u.Id] = u.Email;
            }

            world._entities.AddRange((await db.RegisteredServices.ToListAsync()).Select(r => (Kind.RegisteredService, r.AppId, r.PartnerId, (string?)null)));
            world._entities.AddRange(partners.Select(p => (Kind.Partner, p.Id, p.Id, (string?)null)));
            world._entities.AddRange((await db.BillingRuns.ToListAsync()).Select(r => (Kind.BillingRun, r.Id, "platform", (string?)null)));
            world._shared[Kind.Service] = (await db.Services.FirstAsync()).Slug;
            world._shared[Kind.Plan] = (await db.Plans.FirstAsync()).Id;
            world._shared[Kind.Pack] = (await db.ServicePacks.FirstAsync()).Id;
            return world;
        }

        /// <summary>An entity of <paramref name="kind"/> of the caller's own tenant, for the control calls; null for other kinds or callers.</summary>
        public Victim? OwnOf(Kind kind, Actor actor) =>
            actor.TenantId is null || IsShared(kind) ? null
                : _entities.Where(e => e.Kind == kind && e.TenantId == actor.TenantId).Select(e => new Victim(kind, e.Id, actor.TenantId, [], new Dictionary<Kind, string> { [kind] = e.Id, [Kind.Tenant] = actor.TenantId })).FirstOrDefault();

        /// <summary>
        /// For a tenant user: an entity of another tenant of the same partner and one of another partner. For a
        /// partner admin: one of another partner. Partner-owned kinds: another partner's. Shared kinds: the shared id.
        /// </summary>
        public IEnumerable<Victim> VictimsOf(Kind kind, Actor actor)
        {
            if (IsShared(kind))
            {
                yield return new Victim(kind, _shared[kind], "the catalog", [], new Dictionary<Kind, string>());
                yield break;
            }

            var candidates = _entities.Where(e => e.Kind == kind && e.PartnerId != actor.PartnerId).Take(1).ToList();
            if (actor.TenantId is not null && kind is not (Kind.WebhookSubscription or Kind.WebhookDelivery or Kind.Template or Kind.BillingRun or Kind.RegisteredService))
            {
                candidates.AddRange(_entities.Where(e => e.Kind == kind && e.PartnerId == actor.PartnerId && e.TenantId != actor.TenantId).Take(1));
            }

            if (kind == Kind.BillingRun)
            {
                candidates = _entities.Where(e => e.Kind == kind).Take(1).ToList();
            }

            foreach (var (k, id, partnerId, tenantId) in candidates)
            {
                var data = new List<string>();
                var ids = new Dictionary<Kind, string> { [k] = id };
                if (tenantId is not null)
                {
                    data.Add(tenantId);
                    data.Add(_tenants[tenantId].Name);
                    ids[Kind.Tenant] = tenantId;
                }

                if (k == Kind.User)
                {
                    data.Add(_userEmails[id]);
                }

                if (_partnerMarkers.TryGetValue(partnerId, out var marker) && tenantId is null)
                {
                    data.Add(marker);
                }

                yield return new Victim(k, id, tenantId ?? partnerId, data, ids);
            }
        }
    }
}
