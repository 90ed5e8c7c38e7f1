using System.Security.Claims;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Web.Auth;

namespace ScaiControl.Tests.Web.Auth;

/// <summary>A provider with its own claim names (Auth:Claims:*) stands in for ScaiKey: its claims become ScaiControl's.</summary>
public sealed class ScaiClaimsTests
{
    private static readonly ClaimNames Keycloakish = new() { PartnerId = "org_id", TenantId = "customer", Roles = "groups", Scopes = "scp" };

    [Fact]
    public void TheConfiguredClaims_BecomeThePartnerTenantRolesAndScopesOfTheActor()
    {
        var token = Principal(("sub", "u-1"), ("org_id", "ptr_A"), ("customer", "tnt_A"), ("groups", Roles.TenantAdmin), ("scp", $"{Permissions.CatalogRead} {Permissions.InvoicesRead}"));

        var actor = ScaiClaims.Normalise(token, Keycloakish).ToActor();

        Assert.Equal(("u-1", "ptr_A", "tnt_A"), (actor.UserId, actor.PartnerId, actor.TenantId));
        Assert.Equal(new[] { Roles.TenantAdmin }, actor.Roles);
        Assert.True(actor.Can(Permissions.CatalogRead) && actor.Can(Permissions.InvoicesRead)); // each space-delimited scope grants
        Assert.False(actor.Can(Permissions.SubscriptionsWrite));
    }

    [Fact]
    public void ClaimsUnderScaiControlsOwnNames_ThatAreNotTheConfiguredOnes_CarryNoRights()
    {
        // The provider lets users edit a "roles" or "tenant_id" attribute; only the configured claims count.
        var token = Principal(("sub", "u-2"), ("org_id", "ptr_A"), ("customer", "tnt_A"), ("roles", Roles.SuperAdmin), ("tenant_id", "tnt_OTHER"), ("scope", Permissions.PartnersWrite));

        var actor = ScaiClaims.Normalise(token, Keycloakish).ToActor();

        Assert.False(actor.IsSuperAdmin);
        Assert.Equal("tnt_A", actor.TenantId);
        Assert.Empty(actor.Scopes);
    }

    [Fact]
    public void WithTheDefaultNames_ASpecTokenIsUnchanged()
    {
        var token = Principal(("sub", "u-3"), ("partner_id", "ptr_B"), ("roles", Roles.PartnerAdmin), ("roles", Roles.TenantAdmin), ("scope", Permissions.TenantsRead));

        var actor = ScaiClaims.Normalise(token, new ClaimNames()).ToActor();

        Assert.Equal(("ptr_B", (string?)null), (actor.PartnerId, actor.TenantId));
        Assert.Equal(new[] { Roles.PartnerAdmin, Roles.TenantAdmin }, actor.Roles);
        Assert.Equal(new[] { Permissions.TenantsRead }, actor.Scopes);
    }

    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "test"));
}
