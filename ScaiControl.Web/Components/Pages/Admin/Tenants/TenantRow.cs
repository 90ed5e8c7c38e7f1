using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Web.Components.Pages.Admin.Tenants;

/// <summary>A tenant as the admin list shows it (serialisable: carried from the prerender into the circuit).</summary>
/// <param name="Id">ten_...</param>
/// <param name="Name">The tenant's name.</param>
/// <param name="PartnerName">The partner it belongs to.</param>
/// <param name="Country">Its billing profile's country (ISO 3166-1 alpha-2), null without a profile.</param>
/// <param name="HasBillingProfile">True when invoices can be finalised for it.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record TenantRow(string Id, string Name, string PartnerName, string? Country, bool HasBillingProfile, DateTimeOffset CreatedAt)
{
    /// <summary>The row of <paramref name="view"/>.</summary>
    public static TenantRow From(TenantView view) => new(view.Tenant.Id, view.Tenant.Name, view.PartnerName, view.Country, view.HasBillingProfile, view.Tenant.CreatedAt);
}
