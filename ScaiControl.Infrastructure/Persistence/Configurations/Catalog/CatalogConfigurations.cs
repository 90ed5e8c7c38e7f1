using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;

namespace ScaiControl.Infrastructure.Persistence.Configurations.Catalog;

internal sealed class ServiceMap : IEntityTypeConfiguration<Service>
{
    public void Configure(EntityTypeBuilder<Service> b)
    {
        b.ToTable("services");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Slug).HasMaxLength(64);
        b.HasIndex(x => x.Slug).IsUnique();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Description).HasMaxLength(2000);
        b.Property(x => x.ParentSlug).HasMaxLength(64);
    }
}

internal sealed class PlanMap : IEntityTypeConfiguration<Plan>
{
    public void Configure(EntityTypeBuilder<Plan> b)
    {
        b.ToTable("plans");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.ServiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Code).HasMaxLength(64);
        b.HasIndex(x => new { x.ServiceId, x.Code }).IsUnique();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.Interval).HasConversion<string>().HasMaxLength(10);
        b.Property(x => x.TrialEndBehavior).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.PricingModel).HasConversion<string>().HasMaxLength(20);
        b.Ignore(x => x.Price);
        b.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ServicePackMap : IEntityTypeConfiguration<ServicePack>
{
    public void Configure(EntityTypeBuilder<ServicePack> b)
    {
        b.ToTable("service_packs");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Code).HasMaxLength(64);
        b.HasIndex(x => x.Code).IsUnique();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Description).HasMaxLength(2000);
        b.Property(x => x.Pricing).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.Interval).HasConversion<string>().HasMaxLength(10);
        b.Property(x => x.UpdatedAt).IsConcurrencyToken();
        b.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.PackId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(x => x.Items).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ServicePackItemMap : IEntityTypeConfiguration<ServicePackItem>
{
    public void Configure(EntityTypeBuilder<ServicePackItem> b)
    {
        b.ToTable("service_pack_items");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PackId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.ServiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PlanId).HasMaxLength(Ids.MaxLength);
        b.HasIndex(x => new { x.PackId, x.ServiceId }).IsUnique();
        b.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Plan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Restrict);
    }
}
