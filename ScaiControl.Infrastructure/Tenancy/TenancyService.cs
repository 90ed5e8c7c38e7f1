using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Vat;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Tenancy;

/// <summary>A tenant with its partner's name and whether it has a billing profile.</summary>
public sealed record TenantView(Tenant Tenant, string PartnerName, bool HasBillingProfile, string? Country);

/// <summary>
/// A partner's seller configuration as the admin API and CLI write it (EN 16931 BG-4/BG-5: BT-27 legal name, BT-31
/// VAT id, BT-30 registration, BT-41/42 contact; BT-84 IBAN, BT-86 BIC), the invoice number prefix and the OSS mode
/// ("union_scheme" | "threshold").
/// </summary>
public sealed record SellerInput(string? LegalName, string? AddressLine1, string? AddressLine2, string? PostalCode, string? City, string? Country, string? VatId,
    string? Email, string? Iban, string? Bic, string? InvoicePrefix, string? ContactName, string? ContactPhone, string? RegistrationId, string? RegistrationScheme,
    string? OssMode);

/// <summary>Partners and tenants for the admin portal, and user look-ups for sign-in.</summary>
public sealed class TenancyService(ScaiDbFactory factory, TimeProvider clock)
{
    /// <summary>Partners visible to the actor (all for the operator, its own for a partner admin).</summary>
    public async Task<IReadOnlyList<Partner>> PartnersAsync(Actor actor, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsRead);
        await using var db = await factory.OpenAsync(actor, "list partners", ct);
        return await db.Partners.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
    }

    /// <summary>The sort keys of the partner list: name (case-insensitive) and created (id order).</summary>
    public static readonly SortKeys<Partner> PartnerSorts = new SortKeys<Partner>().Text("name", p => p.Name.ToLower()).Text("created", p => p.Id);

    /// <summary>
    /// A page of the partners visible to the actor (keyset paging, never every partner), optionally those whose name
    /// contains <paramref name="search"/> (case-insensitive), in the order <paramref name="sort"/> names (null: newest first).
    /// </summary>
    /// <exception cref="DomainValidationException">An unknown sort key, bad limit or cursor.</exception>
    public async Task<Page<Partner>> PartnersPageAsync(Actor actor, string? search, ListSort? sort, string? cursor, int limit, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsRead);
        await using var db = await factory.OpenAsync(actor, "list partners", ct);
        var query = db.Partners.AsNoTracking();
        if (search?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
#pragma warning disable CA1862 // LOWER(name) LIKE '%term%' on every provider
            query = query.Where(p => p.Name.ToLower().Contains(term));
#pragma warning restore CA1862
        }

        return await Paging.ReadAsync(query, p => p.Id, PartnerSorts, sort, cursor, limit, ct);
    }

    /// <summary>Creates a reseller partner (operator only).</summary>
    /// <exception cref="DomainValidationException">Bad name.</exception>
    public async Task<Partner> CreatePartnerAsync(Actor actor, string name, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.PartnersWrite);
        await using var db = await factory.ForOperatorAsync(actor, "create partner", ct);
        var partner = new Partner(name, isOperator: false, clock.GetUtcNow());
        db.Partners.Add(partner);
        await db.SaveChangesAsync(ct);
        return partner;
    }

    /// <summary>One partner visible to the actor (the operator: any; a partner admin: its own).</summary>
    /// <exception cref="UnauthorizedAccessException">The actor lacks tenants:read.</exception>
    /// <exception cref="NotFoundException">No such partner, or not the actor's (HTTP 404, never 403: the id's existence is not disclosed).</exception>
    public async Task<Partner> GetPartnerAsync(Actor actor, string id, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsRead);
        await using var db = await factory.OpenAsync(actor, "read partner", ct);
        return await db.Partners.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("partner", id);
    }

    /// <summary>Renames a partner (operator only: partners:write).</summary>
    /// <exception cref="DomainValidationException">Bad name (empty or over 200 characters).</exception>
    /// <exception cref="NotFoundException">No such partner.</exception>
    public async Task<Partner> RenamePartnerAsync(Actor actor, string id, string? name, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.PartnersWrite);
        await using var db = await factory.ForOperatorAsync(actor, "rename partner", ct);
        var partner = await db.Partners.SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("partner", id);
        partner.Rename(name ?? string.Empty);
        await db.SaveChangesAsync(ct);
        return partner;
    }

    /// <summary>
    /// The seller configuration of a partner (EN 16931 BG-4: legal name, address, VAT id, bank, number prefix), or null
    /// when it has none yet. The operator reads any partner's, a partner admin its own.
    /// </summary>
    /// <exception cref="NotFoundException">No such partner visible to the actor.</exception>
    public async Task<PartnerConfiguration?> GetSellerAsync(Actor actor, string partnerId, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsRead);
        await using var db = await factory.OpenAsync(actor, "read seller configuration", ct);
        if (!await db.Partners.AnyAsync(p => p.Id == partnerId, ct))
        {
            throw new NotFoundException("partner", partnerId);
        }

        return await db.PartnerConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.PartnerId == partnerId, ct);
    }

    /// <summary>
    /// Creates (partner.billing_linked.v1) or replaces (partner.billing_updated.v1) a partner's seller configuration.
    /// The operator for any partner; a partner admin (a partner-level user with tenants:write) for its own. Finalised
    /// invoices keep their seller snapshot.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">A tenant user, or no tenants:write.</exception>
    /// <exception cref="NotFoundException">No such partner visible to the actor.</exception>
    /// <exception cref="DomainValidationException">A field is invalid (named; HTTP 422); nothing is saved.</exception>
    public async Task<PartnerConfiguration> SaveSellerAsync(Actor actor, string partnerId, SellerInput input, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsWrite);
        if (actor.TenantId is not null && !actor.IsSuperAdmin)
        {
            throw new UnauthorizedAccessException("Only the operator or the partner's administrator may change its seller configuration.");
        }

        await using var db = await factory.OpenAsync(actor, "save seller configuration", ct);
        if (!await db.Partners.AnyAsync(p => p.Id == partnerId, ct))
        {
            throw new NotFoundException("partner", partnerId);
        }

        var address = PostalAddress.Create(input.AddressLine1, input.AddressLine2, input.PostalCode, input.City, input.Country);
        var oss = input.OssMode switch
        {
            null or "union_scheme" => OssMode.UnionScheme,
            "threshold" => OssMode.Threshold,
            _ => throw new DomainValidationException("oss_mode", "oss_mode must be 'union_scheme' or 'threshold'."),
        };
        var now = clock.GetUtcNow();
        var config = await db.PartnerConfigurations.SingleOrDefaultAsync(c => c.PartnerId == partnerId, ct);
        var prefix = string.IsNullOrWhiteSpace(input.InvoicePrefix) ? config?.InvoicePrefix ?? "SCAI" : input.InvoicePrefix;
        if (config is null)
        {
            config = new PartnerConfiguration(partnerId, input.LegalName ?? string.Empty, address, input.VatId ?? string.Empty, input.Email ?? string.Empty,
                input.Iban ?? string.Empty, input.Bic ?? string.Empty, prefix, now);
            db.PartnerConfigurations.Add(config);
        }
        else
        {
            config.Update(input.LegalName ?? string.Empty, address, input.VatId ?? string.Empty, input.Email ?? string.Empty, input.Iban ?? string.Empty,
                input.Bic ?? string.Empty, prefix, now);
        }

        config.SetContactAndRegistration(input.ContactName, input.ContactPhone, input.RegistrationId, input.RegistrationScheme, now);
        if (config.OssMode != oss)
        {
            config.SetOssMode(oss, now);
        }

        await db.SaveChangesAsync(ct);
        return config;
    }

    /// <summary>One tenant visible to the actor, with its partner's name and billing-profile state.</summary>
    /// <exception cref="NotFoundException">No such tenant visible to the actor.</exception>
    public async Task<TenantView> GetTenantAsync(Actor actor, string id, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsRead);
        await using var db = await factory.OpenAsync(actor, "read tenant", ct);
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw new NotFoundException("tenant", id);
        var partner = await db.Partners.AsNoTracking().Where(p => p.Id == tenant.PartnerId).Select(p => p.Name).SingleOrDefaultAsync(ct);
        var country = await db.TenantBillingProfiles.AsNoTracking().Where(b => b.TenantId == id).Select(b => b.Country).SingleOrDefaultAsync(ct);
        return new TenantView(tenant, partner ?? string.Empty, country is not null, country);
    }

    /// <summary>Renames a tenant (the operator any, a partner admin its own partner's).</summary>
    /// <exception cref="DomainValidationException">Bad name.</exception>
    /// <exception cref="NotFoundException">No such tenant visible to the actor.</exception>
    public async Task<TenantView> RenameTenantAsync(Actor actor, string id, string? name, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsWrite);
        await using (var db = await factory.OpenAsync(actor, "rename tenant", ct))
        {
            var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw new NotFoundException("tenant", id);
            tenant.Rename(name ?? string.Empty);
            await db.SaveChangesAsync(ct);
        }

        return await GetTenantAsync(actor, id, ct);
    }

    /// <summary>Tenants visible to the actor, by name.</summary>
    public async Task<IReadOnlyList<TenantView>> TenantsAsync(Actor actor, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsRead);
        await using var db = await factory.OpenAsync(actor, "list tenants", ct);
        return await (from t in db.Tenants.AsNoTracking()
                      join p in db.Partners.AsNoTracking() on t.PartnerId equals p.Id
                      join b in db.TenantBillingProfiles.AsNoTracking() on t.Id equals b.TenantId into profiles
                      from b in profiles.DefaultIfEmpty()
                      orderby t.Name
                      select new TenantView(t, p.Name, b != null, b != null ? b.Country : null)).ToListAsync(ct);
    }

    /// <summary>
    /// A page of the tenants visible to the actor, newest first (keyset paging as the REST lists, never every tenant),
    /// optionally those whose name contains <paramref name="search"/> (case-insensitive).
    /// </summary>
    public Task<Page<TenantView>> TenantsPageAsync(Actor actor, string? search, string? cursor, int limit, CancellationToken ct = default) =>
        TenantsPageAsync(actor, search, null, cursor, limit, ct);

    /// <summary>The sort keys of the tenant list: name (case-insensitive) and created (id order).</summary>
    public static readonly SortKeys<Tenant> TenantSorts = new SortKeys<Tenant>().Text("name", t => t.Name.ToLower()).Text("created", t => t.Id);

    /// <summary>Like the overload without <paramref name="sort"/>, in the order it names (<see cref="TenantSorts"/>; null: newest first).</summary>
    /// <exception cref="DomainValidationException">An unknown sort key, bad limit or cursor.</exception>
    public async Task<Page<TenantView>> TenantsPageAsync(Actor actor, string? search, ListSort? sort, string? cursor, int limit, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsRead);
        await using var db = await factory.OpenAsync(actor, "list tenants", ct);
        var query = db.Tenants.AsNoTracking();
        if (search?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
            // LOWER(name) LIKE '%term%' on every provider (the StringComparison overload has no SQL translation).
#pragma warning disable CA1862
            query = query.Where(t => t.Name.ToLower().Contains(term));
#pragma warning restore CA1862
        }

        var page = await Paging.ReadAsync(query, t => t.Id, TenantSorts, sort, cursor, limit, ct);
        var partnerIds = page.Items.Select(t => t.PartnerId).Distinct().ToList();
        var tenantIds = page.Items.Select(t => t.Id).ToList();
        var partners = await db.Partners.AsNoTracking().Where(p => partnerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var countries = await db.TenantBillingProfiles.AsNoTracking().Where(b => tenantIds.Contains(b.TenantId)).ToDictionaryAsync(b => b.TenantId, b => b.Country, ct);
        return new Page<TenantView>(page.Items.Select(t => new TenantView(t, partners.GetValueOrDefault(t.PartnerId) ?? string.Empty, countries.ContainsKey(t.Id), countries.GetValueOrDefault(t.Id))).ToList(), page.NextCursor);
    }

    /// <summary>The names of the partners among <paramref name="partnerIds"/> that the actor may see, by id (unknown or hidden ids are left out).</summary>
    /// <exception cref="UnauthorizedAccessException">The actor lacks tenants:read.</exception>
    public async Task<IReadOnlyDictionary<string, string>> PartnerNamesAsync(Actor actor, IEnumerable<string> partnerIds, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsRead);
        var ids = partnerIds.Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        await using var db = await factory.OpenAsync(actor, "partner names", ct);
        return await db.Partners.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, StringComparer.Ordinal, ct);
    }

    /// <summary>The names of the given tenants the actor may see, by id (for a list page: only the ids on the page are read).</summary>
    public async Task<IReadOnlyDictionary<string, string>> TenantNamesAsync(Actor actor, IEnumerable<string> tenantIds, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsRead);
        var ids = tenantIds.Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        await using var db = await factory.OpenAsync(actor, "tenant names", ct);
        return await db.Tenants.AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, StringComparer.Ordinal, ct);
    }

    /// <summary>Names and e-mails of users by id ("usr_..." as recorded by the audit log and history), for showing people instead of ids. System path.</summary>
    public async Task<IReadOnlyDictionary<string, (string Name, string Email)>> UserNamesAsync(IEnumerable<string> userIds, CancellationToken ct = default)
    {
        var ids = userIds.Where(i => i.StartsWith("usr_", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        }

        await using var db = await factory.ForSystemAsync("user names", ct);
        return (await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct))
            .ToDictionary(u => u.Id, u => (u.DisplayName, u.Email), StringComparer.Ordinal);
    }

    /// <summary>Creates a tenant of a partner (the operator for any partner, a partner admin for its own).</summary>
    /// <exception cref="DomainValidationException">Bad name or unknown partner.</exception>
    public async Task<Tenant> CreateTenantAsync(Actor actor, string partnerId, string name, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.TenantsWrite);
        await using var db = await factory.OpenAsync(actor, "create tenant", ct);
        if (!await db.Partners.AnyAsync(p => p.Id == partnerId, ct))
        {
            throw new DomainValidationException("partner_id", $"Partner '{partnerId}' was not found.");
        }

        var tenant = new Tenant(partnerId, name, clock.GetUtcNow());
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync(ct);
        return tenant;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> users whose e-mail or display name contains <paramref name="query"/>
    /// (case-insensitive; every user when empty), by e-mail, for the development sign-in page. System path, audited.
    /// </summary>
    public async Task<IReadOnlyList<User>> SearchUsersAsync(string? query, int limit, CancellationToken ct = default)
    {
        var term = (query ?? string.Empty).Trim().ToLowerInvariant();
        await using var db = await factory.ForSystemAsync("sign-in", ct);
        var users = db.Users.AsNoTracking();
        if (term.Length > 0)
        {
            // Translated to LOWER(display_name) LIKE '%term%' on every provider; the StringComparison overload CA1862
            // asks for has no SQL translation. E-mails are stored lower-case.
#pragma warning disable CA1862
            users = users.Where(u => u.Email.Contains(term) || u.DisplayName.ToLower().Contains(term));
#pragma warning restore CA1862
        }

        return await users.OrderBy(u => u.Email).Take(Math.Clamp(limit, 1, 100)).ToListAsync(ct);
    }

    /// <summary>
    /// What the portal shows beside a signed-in user and formats with: the tenant's name (or the partner's for partner
    /// and operator accounts) and the country of its billing profile (or the partner's seller profile), ISO 3166-1
    /// alpha-2, null when none is stored. System path (read before the user is signed in).
    /// </summary>
    public async Task<(string? OrganisationName, string? Country)> SignInProfileAsync(User user, CancellationToken ct = default)
    {
        await using var db = await factory.ForSystemAsync("sign-in", ct);
        if (user.TenantId is { } tenantId)
        {
            var name = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.Name).SingleOrDefaultAsync(ct);
            var country = await db.TenantBillingProfiles.AsNoTracking().Where(b => b.TenantId == tenantId).Select(b => b.Country).SingleOrDefaultAsync(ct);
            return (name, country);
        }

        var partner = await db.Partners.AsNoTracking().Where(p => p.Id == user.PartnerId).Select(p => p.Name).SingleOrDefaultAsync(ct);
        var sellerCountry = await db.PartnerConfigurations.AsNoTracking().Where(c => c.PartnerId == user.PartnerId).Select(c => c.Country).SingleOrDefaultAsync(ct);
        return (partner, sellerCountry);
    }

    /// <summary>The user with this e-mail, or null.</summary>
    public async Task<User?> FindUserAsync(string email, CancellationToken ct = default)
    {
        var normalised = email.Trim().ToLowerInvariant();
        await using var db = await factory.ForSystemAsync("sign-in", ct);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == normalised, ct);
    }
}
