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
        b.Ignore(x => x.Price);
        b.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Restrict);
    }
}
