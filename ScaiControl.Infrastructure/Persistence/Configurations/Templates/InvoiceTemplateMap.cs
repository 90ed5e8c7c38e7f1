using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Templates;

namespace ScaiControl.Infrastructure.Persistence.Configurations.Templates;

/// <summary>
/// invoice_templates (spec 002, migrations 012 and 020). Not tenant-owned and not filtered: templates are managed
/// by the operator, and finalisation reads the seller's override and the platform default explicitly by partner id.
/// </summary>
internal sealed class InvoiceTemplateMap : IEntityTypeConfiguration<InvoiceTemplate>
{
    public void Configure(EntityTypeBuilder<InvoiceTemplate> b)
    {
        b.ToTable("invoice_templates");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Name).HasMaxLength(64);
        b.Property(x => x.DocumentType).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Language).HasMaxLength(TemplateLanguage.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.OwnerKey).HasMaxLength(Ids.MaxLength);
        // Concurrency token: a draft is published once, even when two operators press "Publish" together.
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20).IsConcurrencyToken();
        b.Property(x => x.Body).HasMaxLength(InvoiceTemplate.MaxBodyLength);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.Ignore(x => x.Source);
        b.Ignore(x => x.IsPlatformDefault);
        b.HasOne<Partner>().WithMany().HasForeignKey(x => x.PartnerId).OnDelete(DeleteBehavior.Restrict);
        // One version number per key, the platform default included (owner_key is "platform" there, not NULL).
        b.HasIndex(x => new { x.Name, x.DocumentType, x.Language, x.OwnerKey, x.Version }).IsUnique();
        // Resolution: the published versions of a name and document type.
        b.HasIndex(x => new { x.Name, x.DocumentType, x.Status });
    }
}
