using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Audit;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;

namespace ScaiControl.Infrastructure.Persistence.Configurations.Events;

internal sealed class OutboxEventMap : IEntityTypeConfiguration<OutboxEvent>
{
    public void Configure(EntityTypeBuilder<OutboxEvent> b)
    {
        b.ToTable("outbox_events");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Topic).HasMaxLength(100);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.AggregateId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.IdempotencyKey).HasMaxLength(Ids.MaxLength);
        b.HasIndex(x => x.IdempotencyKey).IsUnique();
        b.HasIndex(x => x.OccurredAt);
        b.HasIndex(x => x.FannedOutAt);
    }
}

internal sealed class AuditEntryMap : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_log");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Actor).HasMaxLength(100);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Action).HasMaxLength(50);
        b.Property(x => x.EntityType).HasMaxLength(100);
        b.Property(x => x.EntityId).HasMaxLength(100);
        b.HasIndex(x => new { x.EntityType, x.EntityId });
        b.HasIndex(x => x.OccurredAt);
    }
}
