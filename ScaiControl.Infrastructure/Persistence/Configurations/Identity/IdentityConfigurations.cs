using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Identity;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Infrastructure.Persistence.Configurations.Identity;

internal sealed class GroupMap : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> b)
    {
        b.ToTable("groups");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.ExternalId).HasMaxLength(200);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(x => x.ExternalId).IsUnique();
        b.HasIndex(x => new { x.PartnerId, x.TenantId });
        b.HasOne<Partner>().WithMany().HasForeignKey(x => x.PartnerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class UserGroupMap : IEntityTypeConfiguration<UserGroup>
{
    public void Configure(EntityTypeBuilder<UserGroup> b)
    {
        b.ToTable("user_groups");
        b.HasKey(x => new { x.UserId, x.GroupId });
        b.Property(x => x.UserId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.GroupId).HasMaxLength(Ids.MaxLength);
        b.HasIndex(x => x.GroupId);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Group>().WithMany().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RoleMap : IEntityTypeConfiguration<Role>
{
    public void Configure(EntityTypeBuilder<Role> b)
    {
        b.ToTable("roles");
        b.HasKey(x => x.Name);
        b.Property(x => x.Name).HasMaxLength(Role.MaxNameLength);
        b.Property(x => x.Description).HasMaxLength(500);
        b.Property(x => x.Scopes).HasMaxLength(4000);
        b.Ignore(x => x.ScopeList);
    }
}

internal sealed class RoleAssignmentMap : IEntityTypeConfiguration<RoleAssignment>
{
    public void Configure(EntityTypeBuilder<RoleAssignment> b)
    {
        b.ToTable("role_assignments");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Role).HasMaxLength(Role.MaxNameLength);
        b.Property(x => x.UserId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.GroupId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.AssignedBy).HasMaxLength(200);
        b.HasIndex(x => new { x.UserId, x.Role }).IsUnique();
        b.HasIndex(x => new { x.GroupId, x.Role }).IsUnique();
        b.HasIndex(x => x.PartnerId);
        b.HasOne<Role>().WithMany().HasForeignKey(x => x.Role).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Group>().WithMany().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class IdentitySyncRunMap : IEntityTypeConfiguration<IdentitySyncRun>
{
    public void Configure(EntityTypeBuilder<IdentitySyncRun> b)
    {
        b.ToTable("identity_sync_runs");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(30);
        b.Property(x => x.Errors).HasMaxLength(IdentitySyncRun.MaxErrors);
        b.Property(x => x.Node).HasMaxLength(200);
        b.Property(x => x.TriggeredBy).HasMaxLength(200);
        b.HasIndex(x => x.StartedAt);
    }
}

internal sealed class ApiKeyMap : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.ToTable("api_keys");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Prefix).HasMaxLength(ApiKey.MaxPrefixLength);
        b.Property(x => x.Hash).HasMaxLength(ApiKey.HashLength);
        b.Property(x => x.Environment).HasConversion<string>().HasMaxLength(10);
        b.Property(x => x.Scopes).HasMaxLength(4000);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.ServiceAppId).HasMaxLength(100);
        b.Property(x => x.CreatedBy).HasMaxLength(200);
        b.Property(x => x.LastUsedIp).HasMaxLength(45);
        b.Property(x => x.ReplacedBy).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.RotatedFrom).HasMaxLength(Ids.MaxLength);
        b.Ignore(x => x.ScopeList);
        b.HasIndex(x => x.Hash).IsUnique();
        b.HasIndex(x => new { x.PartnerId, x.TenantId });
        b.HasOne<Partner>().WithMany().HasForeignKey(x => x.PartnerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
