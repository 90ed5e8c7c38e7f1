using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Webhooks;

namespace ScaiControl.Infrastructure.Persistence.Configurations.Webhooks;

internal sealed class WebhookSubscriptionMap : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> b)
    {
        b.ToTable("webhook_subscriptions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Url).HasMaxLength(2048);
        b.Property(x => x.Topics).HasMaxLength(2000);
        b.Property(x => x.Description).HasMaxLength(500);
        b.Property(x => x.SecretPath).HasMaxLength(300);
        b.Property(x => x.PreviousSecretPath).HasMaxLength(300);
        b.Property(x => x.DisabledReason).HasMaxLength(500);
        b.Ignore(x => x.Filter);
        b.HasIndex(x => x.PartnerId);
    }
}

internal sealed class WebhookDeliveryMap : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("webhook_deliveries");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.EventId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.IdempotencyKey).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Topic).HasMaxLength(100);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.LastError).HasMaxLength(1000);
        b.HasIndex(x => new { x.SubscriptionId, x.IdempotencyKey }).IsUnique();
        b.HasIndex(x => new { x.Status, x.NextAttemptAt });
        b.HasOne<WebhookSubscription>().WithMany().HasForeignKey(x => x.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<ScaiControl.Domain.Events.OutboxEvent>().WithMany().HasForeignKey(x => x.EventId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class WebhookDeliveryAttemptMap : IEntityTypeConfiguration<WebhookDeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookDeliveryAttempt> b)
    {
        b.ToTable("webhook_delivery_attempts");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.DeliveryId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Topic).HasMaxLength(100);
        b.Property(x => x.RequestHeaders).HasMaxLength(8000);
        b.Property(x => x.ResponseExcerpt).HasMaxLength(WebhookDeliveryAttempt.MaxExcerpt);
        b.Property(x => x.Error).HasMaxLength(1000);
        b.HasIndex(x => new { x.SubscriptionId, x.StartedAt });
        b.HasIndex(x => x.DeliveryId);
        b.HasOne<WebhookSubscription>().WithMany().HasForeignKey(x => x.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<WebhookDelivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LocalSecretMap : IEntityTypeConfiguration<ScaiControl.Infrastructure.Secrets.LocalSecret>
{
    public void Configure(EntityTypeBuilder<ScaiControl.Infrastructure.Secrets.LocalSecret> b)
    {
        b.ToTable("local_secrets");
        b.HasKey(x => x.Path);
        b.Property(x => x.Path).HasMaxLength(300);
        b.Property(x => x.Value).HasMaxLength(500);
    }
}
