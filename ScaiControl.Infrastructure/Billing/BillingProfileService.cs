using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Billing;

/// <summary>The buyer fields of a tenant billing profile as a form or API body sends them.</summary>
/// <remarks>BuyerReference (BT-10), PreferredEInvoiceFormat, DocumentLanguage (BCP 47; null = the default of the buyer's
/// country), RegistrationId (BT-47) and RegistrationScheme (its ISO 6523 ICD; null = the country's usual one) are
/// optional; null leaves them empty.</remarks>
public sealed record BillingProfileInput(string? LegalName, string? AddressLine1, string? AddressLine2, string? PostalCode, string? City, string? Country, string? VatId, string? Email,
    string? BuyerReference = null, string? PreferredEinvoiceFormat = null, string? DocumentLanguage = null, string? RegistrationId = null, string? RegistrationScheme = null);

/// <summary>
/// What a proposed billing-profile change does to the VAT of the next invoice (issued by the scheduled run on
/// <paramref name="NextInvoiceDate"/>): the treatment now (null without a profile), the treatment after the change
/// once VIES confirms the VAT id (<paramref name="Proposed"/>), and, when the id still needs that confirmation
/// (<paramref name="NeedsViesConfirmation"/>, checked on save), the treatment while it is not confirmed
/// (<paramref name="ProposedIfNotConfirmed"/>). <paramref name="Changes"/>: the proposed treatment differs from the
/// current one; <paramref name="Message"/> says so in words. <paramref name="Country"/> and <paramref name="VatId"/> are
/// the normalised values that would be saved.
/// </summary>
public sealed record VatTreatmentPreview(string Country, string CountryName, string? VatId, DateOnly NextInvoiceDate, VatTreatment? Current, VatTreatment Proposed,
    bool NeedsViesConfirmation, VatTreatment? ProposedIfNotConfirmed, bool Changes, string Message);

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
    /// Previews a change of country and VAT id (the fields that decide the VAT) without writing anything: validates
    /// both exactly as <see cref="SaveAsync"/> does (ISO 3166-1 country; the VAT id's prefix, format and check digits,
    /// <see cref="Domain.Vat.VatIds.Normalise"/>) and compares the VAT treatment of the next invoice before and after.
    /// </summary>
    /// <exception cref="DomainValidationException">Unknown country (field "country") or an invalid VAT id (field "vat_id").</exception>
    /// <exception cref="NotFoundException">The tenant is not visible to the actor.</exception>
    /// <exception cref="DomainConflictException">The tenant's seller has no invoicing details yet.</exception>
    public async Task<VatTreatmentPreview> PreviewVatChangeAsync(Actor actor, string tenantId, string? country, string? vatId, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.BillingProfileWrite);
        var code = Countries.Require(country);
        var normalised = Domain.Vat.VatIds.Normalise(vatId, code);
        await using var db = await factory.OpenAsync(actor, "preview billing profile change", ct);
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, ct) ?? throw new NotFoundException("tenant", tenantId);
        var seller = await db.PartnerConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.PartnerId == tenant.PartnerId, ct)
            ?? throw new DomainConflictException("The seller has not completed its invoicing details yet, so the VAT of the next invoice cannot be decided.");
        var profile = await db.TenantBillingProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenantId, ct);
        var date = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime); // the next invoice is the next period that starts (docs/decisions/0009)

        VatTreatment? current = profile is null ? null
            : VatTreatment.From(await BillingSchedule.DecideAsync(factory, seller, profile.Country, profile.VatId, profile.HasValidatedVatId, date, ct));
        // A VAT id already confirmed by VIES keeps its evidence when it does not change; any other id is checked on save.
        var confirmed = normalised is not null && profile is not null && profile.VatId == normalised && profile.HasValidatedVatId;
        var needsVies = normalised is not null && !confirmed && Countries.IsEu(code) && Countries.IsEu(seller.Country) && code != seller.Country;
        var proposed = VatTreatment.From(await BillingSchedule.DecideAsync(factory, seller, code, normalised, true, date, ct));
        var fallback = needsVies ? VatTreatment.From(await BillingSchedule.DecideAsync(factory, seller, code, normalised, false, date, ct)) : null;
        var changes = current is null || proposed.DiffersFrom(current);
        static string Words(VatTreatment t) => $"{t.Treatment.Replace('_', ' ')} at {Rounding.FormatMinorUnits(t.RateBasisPoints, 2)} %";
        var message = current is null
            ? $"The next invoice will be charged {Words(proposed)}."
            : changes
                ? $"This change moves the next invoice from {Words(current)} to {Words(proposed)}."
                : $"The VAT of the next invoice stays {Words(current)}.";
        if (fallback is not null && fallback.DiffersFrom(proposed))
        {
            message += $" Reverse charge needs the VAT id confirmed by VIES (checked on save); until then it is {Words(fallback)}.";
        }

        return new VatTreatmentPreview(code, Countries.NameOf(code), normalised, date, current, proposed, needsVies, fallback, changes, message);
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
        profile.SetDocuments(input.DocumentLanguage, input.RegistrationId, input.RegistrationScheme, now);
        if (profile.VatId is { } vatId && profile.VatIdStatus != Domain.Billing.VatIdStatus.Valid)
        {
            var seller = await db.PartnerConfigurations.AsNoTracking().Where(c => c.PartnerId == tenant.PartnerId).Select(c => c.VatId).SingleOrDefaultAsync(ct);
            profile.RecordVatIdCheck(await vies.CheckAsync(vatId, seller, ct));
        }

        await db.SaveChangesAsync(ct);
        return profile;
    }
}
