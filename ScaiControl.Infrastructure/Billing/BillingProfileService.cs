using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Billing;

/// <summary>The buyer fields of a tenant billing profile as a form or API body sends them.</summary>
/// <remarks>BuyerReference (BT-10) and PreferredEInvoiceFormat are optional; null leaves them empty.</remarks>
public sealed record BillingProfileInput(string? LegalName, string? AddressLine1, string? AddressLine2, string? PostalCode, string? City, string? Country, string? VatId, string? Email,
    string? BuyerReference = null, string? PreferredEinvoiceFormat = null);

/// <summary>Tenant billing profiles (buyer) and partner configurations (seller).</summary>
public sealed class BillingProfileService(ScaiDbFactory factory, Vat.IVatIdValidator vies, TimeProvider clock)
{
    /// <summary>The billing profile of a tenant; null when it has none yet.</summary>
    /// <exception cref="NotFoundException">The tenant is not visible to the actor.</exception>
    public async Task<TenantBillingProfile?> GetAsync(Actor actor, string tenantId, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.BillingProfileRead);
        await using var db = await factory.OpenAsync(actor, "read billing profile", ct);
        _ = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, ct) ?? throw new NotFoundException("tenant", tenantId);
        return await db.TenantBillingProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenantId, ct);
    }

    /// <summary>
    /// Creates (tenant.billing_linked.v1) or updates (tenant.billing_updated.v1) a tenant's profile. A new or
    /// still-unconfirmed EU VAT id is checked with VIES and the answer kept on the profile as evidence; an outage
    /// leaves it "unavailable" (reverse charge then does not apply until a later check confirms it).
    /// </summary>
    /// <exception cref="DomainValidationException">A field is invalid (the field is named); nothing is saved.</exception>
    /// <exception cref="NotFoundException">The tenant is not visible to the actor.</exception>
    public async Task<TenantBillingProfile> SaveAsync(Actor actor, string tenantId, BillingProfileInput input, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.BillingProfileWrite);
        await using var db = await factory.OpenAsync(actor, "save billing profile", ct);
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, ct) ?? throw new NotFoundException("tenant", tenantId);
        var address = PostalAddress.Create(input.AddressLine1, input.AddressLine2, input.PostalCode, input.City, input.Country);
        var now = clock.GetUtcNow();
        var profile = await db.TenantBillingProfiles.SingleOrDefaultAsync(p => p.TenantId == tenantId, ct);
        if (profile is null)
        {
            profile = new TenantBillingProfile(tenant.PartnerId, tenant.Id, input.LegalName!, address, input.VatId, input.Email!, now);
            db.TenantBillingProfiles.Add(profile);
        }
        else
        {
            profile.Update(input.LegalName!, address, input.VatId, input.Email!, now);
        }

        profile.SetEInvoicing(input.BuyerReference, input.PreferredEinvoiceFormat, Invoicing.EInvoicing.EInvoiceFormats.All, now);
        if (profile.VatId is { } vatId && profile.VatIdStatus != Domain.Billing.VatIdStatus.Valid)
        {
            var seller = await db.PartnerConfigurations.AsNoTracking().Where(c => c.PartnerId == tenant.PartnerId).Select(c => c.VatId).SingleOrDefaultAsync(ct);
            profile.RecordVatIdCheck(await vies.CheckAsync(vatId, seller, ct));
        }

        await db.SaveChangesAsync(ct);
        return profile;
    }
}
