using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Usage;

namespace ScaiControl.Infrastructure.Usage;

/// <summary>meters: one row per (service, code).</summary>
internal sealed class MeterMap : IEntityTypeConfiguration<Meter>
{
    public void Configure(EntityTypeBuilder<Meter> b)
    {
        b.ToTable("meters");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.ServiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Code).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Unit).HasMaxLength(32);
        b.Property(x => x.UniqueProperty).HasMaxLength(Meter.MaxPropertyLength);
        b.Property(x => x.FiltersJson).HasMaxLength(9000);
        b.Property(x => x.Aggregation).HasConversion(a => a.WireName(), s => MeterAggregations.Parse(s)).HasMaxLength(16);
        b.Ignore(x => x.Filters);
        b.HasIndex(x => new { x.ServiceId, x.Code }).IsUnique();
        b.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>
/// usage_events: the primary key is the idempotency key (tenant, source, event_id), so the provider's insert-ignore
/// dedups against every stored event; (tenant, id) serves the cursor-paged listing. No foreign keys: the ingestion
/// checks tenant, meter and subscription itself, and the table is append-only and hot.
/// </summary>
internal sealed class UsageEventMap : IEntityTypeConfiguration<UsageEvent>
{
    public void Configure(EntityTypeBuilder<UsageEvent> b)
    {
        b.ToTable("usage_events");
        b.HasKey(x => new { x.TenantId, x.Source, x.EventId });
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Source).HasMaxLength(UsageEvent.MaxSourceLength);
        b.Property(x => x.EventId).HasMaxLength(UsageEvent.MaxEventIdLength);
        b.Property(x => x.MeterId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PropertiesJson).HasMaxLength(UsageEvent.MaxPropertiesLength);
        b.Property(x => x.UniqueValue).HasMaxLength(Meter.MaxPropertyLength);
        b.HasIndex(x => new { x.TenantId, x.Id }).IsUnique();
        // Corrections of max/latest meters recompute one hour; cost-plus pricing groups one period.
        b.HasIndex(x => new { x.TenantId, x.SubscriptionId, x.MeterId, x.OccurredAt });
    }
}

/// <summary>usage_rollups: one row per (tenant, subscription, meter, grain, bucket start).</summary>
internal sealed class UsageRollupMap : IEntityTypeConfiguration<UsageRollup>
{
    public void Configure(EntityTypeBuilder<UsageRollup> b)
    {
        b.ToTable("usage_rollups");
        b.HasKey(x => new { x.TenantId, x.SubscriptionId, x.MeterId, x.Grain, x.BucketStart });
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.MeterId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Grain).HasConversion(g => g == RollupGrain.Hour ? "hour" : "day", s => s == "hour" ? RollupGrain.Hour : RollupGrain.Day).HasMaxLength(4);
        b.HasIndex(x => new { x.MeterId, x.Grain, x.BucketStart });
    }
}

/// <summary>usage_unique_values: the distinct values of unique_count meters per day.</summary>
internal sealed class UsageUniqueValueMap : IEntityTypeConfiguration<UsageUniqueValue>
{
    public void Configure(EntityTypeBuilder<UsageUniqueValue> b)
    {
        b.ToTable("usage_unique_values");
        b.HasKey(x => new { x.TenantId, x.SubscriptionId, x.MeterId, x.Day, x.Value });
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.MeterId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Value).HasMaxLength(Meter.MaxPropertyLength);
    }
}

/// <summary>plan_usage_charges: one per (plan, meter).</summary>
internal sealed class PlanUsageChargeMap : IEntityTypeConfiguration<PlanUsageCharge>
{
    public void Configure(EntityTypeBuilder<PlanUsageCharge> b)
    {
        b.ToTable("plan_usage_charges");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PlanId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.MeterId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Model).HasConversion(m => m.WireName(), s => UsagePriceModels.Parse(s)).HasMaxLength(16);
        b.Property(x => x.TiersJson).HasMaxLength(4000);
        b.Ignore(x => x.Terms);
        b.HasIndex(x => new { x.PlanId, x.MeterId }).IsUnique();
        b.HasOne<Plan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Meter>().WithMany().HasForeignKey(x => x.MeterId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>usage_quota_notices: one per (subscription, meter, period start): the soft quota's event once per period.</summary>
internal sealed class UsageQuotaNoticeMap : IEntityTypeConfiguration<UsageQuotaNotice>
{
    public void Configure(EntityTypeBuilder<UsageQuotaNotice> b)
    {
        b.ToTable("usage_quota_notices");
        b.HasKey(x => new { x.SubscriptionId, x.MeterId, x.PeriodStart });
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.MeterId).HasMaxLength(Ids.MaxLength);
        b.HasIndex(x => x.TenantId);
    }
}

/// <summary>usage_period_closes: one per (subscription, period start): a period's usage invoiced once.</summary>
internal sealed class UsagePeriodCloseMap : IEntityTypeConfiguration<UsagePeriodClose>
{
    public void Configure(EntityTypeBuilder<UsagePeriodClose> b)
    {
        b.ToTable("usage_period_closes");
        b.HasKey(x => new { x.SubscriptionId, x.PeriodStart });
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.InvoiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.MetersJson).HasMaxLength(8000);
        b.Property(x => x.Revision).IsConcurrencyToken();
        b.Ignore(x => x.Meters);
        b.HasIndex(x => new { x.TenantId, x.PeriodEnd });
    }
}

/// <summary>usage_corrections: append-only; (tenant, source, event_id, id) finds an event's latest correction.</summary>
internal sealed class UsageCorrectionMap : IEntityTypeConfiguration<UsageCorrection>
{
    public void Configure(EntityTypeBuilder<UsageCorrection> b)
    {
        b.ToTable("usage_corrections");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Source).HasMaxLength(UsageEvent.MaxSourceLength);
        b.Property(x => x.EventId).HasMaxLength(UsageEvent.MaxEventIdLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.MeterId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Action).HasConversion(a => a == UsageCorrectionAction.Void ? "void" : "amend", s => s == "void" ? UsageCorrectionAction.Void : UsageCorrectionAction.Amend).HasMaxLength(8);
        b.Property(x => x.Reason).HasMaxLength(UsageCorrection.MaxReasonLength);
        b.Property(x => x.Settlement).HasMaxLength(16);
        b.Property(x => x.ChargeId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.CreatedBy).HasMaxLength(Ids.MaxLength);
        b.HasIndex(x => new { x.TenantId, x.Source, x.EventId, x.Id });
        b.HasIndex(x => new { x.TenantId, x.SubscriptionId, x.MeterId, x.OccurredAt });
    }
}
