using ScaiControl.Domain.Common;
using ScaiControl.Domain.Identity;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Distributed;
using ScaiControl.Infrastructure.Identity;

namespace ScaiControl.Tests.Domain.Identity;

/// <summary>The identity entities' rules: ScaiKey updates are idempotent, API keys stop working when revoked, expired or past a rotation overlap.</summary>
public sealed class IdentityDomainTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly string Hash = new('a', 64);

    [Fact]
    public void ApplyScaiKey_ReportsAChangeOnce_AndReactivatesADeactivatedUser()
    {
        var user = User.FromScaiKey("sk-1", "a@example.com", "Ann", "ptr_1", null, ["tenant_admin"], Now);
        Assert.False(user.ApplyScaiKey("sk-1", "a@example.com", "Ann", "ptr_1", null, ["tenant_admin"], Now.AddHours(1)));
        Assert.Equal(Now, user.UpdatedAt);

        Assert.True(user.Deactivate(Now.AddHours(2)));
        Assert.False(user.Deactivate(Now.AddHours(3)));
        Assert.False(user.IsActive);

        Assert.True(user.ApplyScaiKey("sk-1", "a@example.com", "Ann", "ptr_1", null, ["billing_viewer", "tenant_admin"], Now.AddHours(4)));
        Assert.True(user.IsActive);
        Assert.Equal(["billing_viewer", "tenant_admin"], user.RoleList);
        Assert.Throws<DomainValidationException>(() => user.ApplyScaiKey("sk-1", "not-an-email", "Ann", "ptr_1", null, [], Now));
        Assert.Equal("a@example.com", user.Email); // refused input changes nothing
    }

    [Fact]
    public void ApiKey_WorksUntilRevokedExpiredOrTheRotationOverlapEnds()
    {
        var key = new ApiKey("ci", "sck_live_ab12", Hash, ApiKeyEnvironment.Live, ["catalog:read", "catalog:read"], "ptr_1", null, null, "usr_1", Now, Now.AddDays(30));
        Assert.Equal(["catalog:read"], key.ScopeList);
        Assert.True(key.IsUsableAt(Now.AddDays(1)));
        Assert.False(key.IsUsableAt(Now.AddDays(30)));

        var next = new ApiKey("ci", "sck_live_cd34", new string('b', 64), ApiKeyEnvironment.Live, ["catalog:read"], "ptr_1", null, null, "usr_1", Now, null);
        key.RotateTo(next, Now.AddHours(1));
        Assert.Equal((next.Id, key.Id), (key.ReplacedBy, next.RotatedFrom));
        Assert.True(key.IsUsableAt(Now.AddMinutes(59)));
        Assert.False(key.IsUsableAt(Now.AddHours(1)));

        Assert.True(next.RecordUse(Now, "203.0.113.7"));
        Assert.False(next.RecordUse(Now.AddMinutes(1), "203.0.113.7"));
        next.Revoke(Now.AddMinutes(2));
        Assert.False(next.IsUsableAt(Now.AddMinutes(3)));
        Assert.Throws<DomainConflictException>(() => next.RotateTo(key, Now.AddHours(2)));
    }

    [Theory]
    [InlineData("ABC")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void ApiKey_RefusesAHashThatIsNotLowercaseSha256Hex(string hash)
    {
        var e = Assert.Throws<DomainValidationException>(() => new ApiKey("ci", "sck_test_x", hash, ApiKeyEnvironment.Test, [], "ptr_1", null, null, "usr_1", Now, null));
        Assert.Equal("hash", e.Field);
    }

    [Fact]
    public void LocalGrants_SurviveTheSharedCachesJsonRoundTrip()
    {
        var grants = new LocalGrants("usr_1", "ptr_1", "tnt_1", false,
            [new RoleGrant(Roles.BillingViewer, GrantSource.Group, "grp_1", "Finance", Roles.ScopesOf(Roles.BillingViewer))]);
        var back = CacheJson.Deserialize<LocalGrants>(CacheJson.Serialize(grants));
        Assert.Equal(("usr_1", "ptr_1", "tnt_1", false), (back.UserId, back.PartnerId, back.TenantId, back.Deactivated));
        var grant = Assert.Single(back.Grants);
        Assert.Equal((Roles.BillingViewer, GrantSource.Group, "Finance"), (grant.Role, grant.Source, grant.GroupName));
        Assert.Equal(Roles.ScopesOf(Roles.BillingViewer), grant.Scopes);
    }

    [Fact]
    public void SyncRun_StatusFollowsFromErrors_AndLongErrorTextIsCut()
    {
        var run = new IdentitySyncRun("node-1", "system:test", Now);
        run.Finish(1, 2, 3, 4, [new string('x', IdentitySyncRun.MaxErrors + 100)], failed: false, Now.AddSeconds(5));
        Assert.Equal(IdentitySyncStatus.CompletedWithErrors, run.Status);
        Assert.Equal(IdentitySyncRun.MaxErrors, run.Errors!.Length);
        run.Finish(0, 0, 0, 0, [], failed: false, Now.AddSeconds(6));
        Assert.Equal(IdentitySyncStatus.Succeeded, run.Status);
    }
}
