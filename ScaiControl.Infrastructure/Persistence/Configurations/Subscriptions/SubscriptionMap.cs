using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Infrastructure.Persistence.Configurations.Subscriptions;

internal sealed class SubscriptionMap : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> b)
    {
        b.ToTable("subscriptions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.ServiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PlanId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Interval).HasConversion<string>().HasMaxLength(10);
        b.Property(x => x.CancellationReason).HasMaxLength(500);
        // Optimistic concurrency: every mutation moves UpdatedAt, so a concurrent writer gets a conflict, not a lost update.
        b.Property(x => x.UpdatedAt).IsConcurrencyToken();
        b.Ignore(x => x.PendingEvents);
        b.Ignore(x => x.IsBillable);
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Plan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.TenantId, x.Status });
        // The partner admin's list: the scope filter is "PartnerId" = @p, newest (highest id) first (issue 13).
        b.HasIndex(x => new { x.PartnerId, x.Id });
        b.HasIndex(x => new { x.Status, x.BilledThrough });
        b.Property(x => x.PackSubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.ScheduledPlanId).HasMaxLength(Ids.MaxLength);
        b.HasOne<PackSubscription>().WithMany().HasForeignKey(x => x.PackSubscriptionId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Plan>().WithMany().HasForeignKey(x => x.ScheduledPlanId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.PackSubscriptionId);
    }
}

internal sealed class PackSubscriptionMap : IEntityTypeConfiguration<PackSubscription>
{
    public void Configure(EntityTypeBuilder<PackSubscription> b)
    {
        b.ToTable("pack_subscriptions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PackId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Interval).HasConversion<string>().HasMaxLength(10);
        b.Property(x => x.CancellationReason).HasMaxLength(500);
        b.Property(x => x.UpdatedAt).IsConcurrencyToken();
        b.Ignore(x => x.PendingEvents);
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ServicePack>().WithMany().HasForeignKey(x => x.PackId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.TenantId, x.Status });
        // The partner admin's list: the scope filter is "PartnerId" = @p, newest (highest id) first (issue 13).
        b.HasIndex(x => new { x.PartnerId, x.Id });
        b.HasIndex(x => new { x.Status, x.BilledThrough });
    }
}

internal sealed class SubscriptionChargeMap : IEntityTypeConfiguration<SubscriptionCharge>
{
    public void Configure(EntityTypeBuilder<SubscriptionCharge> b)
    {
        b.ToTable("subscription_charges");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(30);
        b.Property(x => x.Description).HasMaxLength(500);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.PlanChangeId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.InvoiceId).HasMaxLength(Ids.MaxLength);
        b.HasOne<Subscription>().WithMany().HasForeignKey(x => x.SubscriptionId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.TenantId, x.InvoiceId });
        b.HasIndex(x => x.SubscriptionId);
    }
}
