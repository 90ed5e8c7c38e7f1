using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Infrastructure.Persistence.Configurations.Billing;

internal sealed class TenantBillingProfileMap : IEntityTypeConfiguration<TenantBillingProfile>
{
    public void Configure(EntityTypeBuilder<TenantBillingProfile> b)
    {
        b.ToTable("tenant_billing_profiles");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.HasIndex(x => x.TenantId).IsUnique();
        b.Property(x => x.LegalName).HasMaxLength(200);
        b.Property(x => x.AddressLine1).HasMaxLength(200);
        b.Property(x => x.AddressLine2).HasMaxLength(200);
        b.Property(x => x.PostalCode).HasMaxLength(20);
        b.Property(x => x.City).HasMaxLength(100);
        b.Property(x => x.Country).HasMaxLength(2);
        b.Property(x => x.VatId).HasMaxLength(20);
        b.Property(x => x.VatIdStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.VatIdConsultationNumber).HasMaxLength(100);
        b.Property(x => x.VatIdRegisteredName).HasMaxLength(200);
        b.Ignore(x => x.HasValidatedVatId);
        b.Property(x => x.BuyerReference).HasMaxLength(100);
        b.Property(x => x.PreferredEInvoiceFormat).HasMaxLength(20);
        b.Property(x => x.DocumentLanguage).HasMaxLength(Domain.Templates.TemplateLanguage.MaxLength);
        b.Ignore(x => x.EffectiveDocumentLanguage);
        b.Property(x => x.RegistrationId).HasMaxLength(50);
        b.Property(x => x.RegistrationScheme).HasMaxLength(4);
        b.Property(x => x.Email).HasMaxLength(254);
        b.Ignore(x => x.Address);
        b.Ignore(x => x.PendingEvents);
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PartnerConfigurationMap : IEntityTypeConfiguration<PartnerConfiguration>
{
    public void Configure(EntityTypeBuilder<PartnerConfiguration> b)
    {
        b.ToTable("partner_configuration");
        b.HasKey(x => x.PartnerId);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.LegalName).HasMaxLength(200);
        b.Property(x => x.AddressLine1).HasMaxLength(200);
        b.Property(x => x.AddressLine2).HasMaxLength(200);
        b.Property(x => x.PostalCode).HasMaxLength(20);
        b.Property(x => x.City).HasMaxLength(100);
        b.Property(x => x.Country).HasMaxLength(2);
        b.Property(x => x.VatId).HasMaxLength(20);
        b.Property(x => x.Email).HasMaxLength(254);
        b.Property(x => x.Iban).HasMaxLength(34);
        b.Property(x => x.Bic).HasMaxLength(11);
        b.Property(x => x.InvoicePrefix).HasMaxLength(10);
        b.Property(x => x.OssMode).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ContactName).HasMaxLength(100);
        b.Property(x => x.ContactPhone).HasMaxLength(30);
        b.Property(x => x.RegistrationId).HasMaxLength(50);
        b.Property(x => x.RegistrationScheme).HasMaxLength(4);
        b.Ignore(x => x.Address);
        b.Ignore(x => x.PendingEvents);
        b.HasOne<Partner>().WithOne().HasForeignKey<PartnerConfiguration>(x => x.PartnerId).OnDelete(DeleteBehavior.Restrict);
    }
}
