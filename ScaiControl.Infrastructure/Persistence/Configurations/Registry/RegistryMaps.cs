using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Registry;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Infrastructure.Persistence.Configurations.Registry;

internal sealed class RegisteredServiceMap : IEntityTypeConfiguration<RegisteredService>
{
    public void Configure(EntityTypeBuilder<RegisteredService> b)
    {
        b.ToTable("registered_services");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.AppId).HasMaxLength(100);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Slug).HasMaxLength(64);
        b.Property(x => x.ParentSlug).HasMaxLength(64);
        b.Property(x => x.BaseUrl).HasMaxLength(RegisteredService.MaxUrlLength);
        b.Property(x => x.HealthCheckUrl).HasMaxLength(RegisteredService.MaxUrlLength);
        b.Property(x => x.Capabilities).HasMaxLength(2000);
        b.Property(x => x.Version).HasMaxLength(100);
        b.Property(x => x.RegistrationStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.HealthStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.HealthReason).HasMaxLength(500);
        b.Property(x => x.LastHeartbeatStatus).HasMaxLength(20);
        b.Property(x => x.LastHeartbeatDetails).HasMaxLength(4000);
        b.Property(x => x.LastProbeError).HasMaxLength(1000);
        b.Ignore(x => x.CapabilityList);
        b.HasIndex(x => x.AppId).IsUnique();
        b.HasIndex(x => x.Slug).IsUnique();
        b.HasIndex(x => x.ParentSlug);
        b.HasIndex(x => x.PartnerId);
        b.HasIndex(x => x.NextProbeAt);
        b.HasOne<Partner>().WithMany().HasForeignKey(x => x.PartnerId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ServiceHealthEventMap : IEntityTypeConfiguration<ServiceHealthEvent>
{
    public void Configure(EntityTypeBuilder<ServiceHealthEvent> b)
    {
        b.ToTable("service_health_events");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.ServiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.From).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.To).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Reason).HasMaxLength(500);
        b.HasIndex(x => new { x.ServiceId, x.At });
        b.HasOne<RegisteredService>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Cascade);
    }
}
