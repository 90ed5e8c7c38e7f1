using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Payments;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Infrastructure.Payments;

internal sealed class InvoiceAccountMap : IEntityTypeConfiguration<InvoiceAccount>
{
    public void Configure(EntityTypeBuilder<InvoiceAccount> b)
    {
        b.ToTable("invoice_accounts");
        b.HasKey(x => x.InvoiceId);
        b.Property(x => x.InvoiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.InvoiceNumber).HasMaxLength(30);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        // Two nodes (or two requests) changing one account: the second save fails and is re-run on fresh state.
        b.Property(x => x.Version).IsConcurrencyToken();
        b.Ignore(x => x.PendingEvents);
        b.Ignore(x => x.AmountDueMinor);
        b.Ignore(x => x.OwedMinor);
        b.Ignore(x => x.RefundableMinor);
        b.HasOne<Invoice>().WithOne().HasForeignKey<InvoiceAccount>(x => x.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.Status, x.DueDate });
        b.HasIndex(x => new { x.TenantId, x.Status });
    }
}

internal sealed class PaymentTransactionMap : IEntityTypeConfiguration<PaymentTransaction>
{
    public void Configure(EntityTypeBuilder<PaymentTransaction> b)
    {
        b.ToTable("payment_transactions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.InvoiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Provider).HasMaxLength(40);
        b.Property(x => x.Reference).HasMaxLength(200);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.RecordedBy).HasMaxLength(100);
        b.Property(x => x.FailureCode).HasMaxLength(100);
        b.HasOne<InvoiceAccount>().WithMany().HasForeignKey(x => x.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        // A bank reference or provider payment is booked once per invoice.
        b.HasIndex(x => new { x.InvoiceId, x.Provider, x.Kind, x.Reference }).IsUnique();
    }
}

internal sealed class PartnerPaymentSettingsMap : IEntityTypeConfiguration<PartnerPaymentSettings>
{
    public void Configure(EntityTypeBuilder<PartnerPaymentSettings> b)
    {
        b.ToTable("partner_payment_settings");
        b.HasKey(x => x.PartnerId);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Provider).HasMaxLength(40);
        b.Property(x => x.CredentialsVaultPath).HasMaxLength(200);
        b.Property(x => x.RetryDays).HasMaxLength(100);
        b.Property(x => x.ReminderDays).HasMaxLength(100);
        b.Property(x => x.FinalAction).HasConversion<string>().HasMaxLength(20);
        b.Ignore(x => x.Policy);
        b.HasOne<Partner>().WithOne().HasForeignKey<PartnerPaymentSettings>(x => x.PartnerId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TenantPaymentSettingsMap : IEntityTypeConfiguration<TenantPaymentSettings>
{
    public void Configure(EntityTypeBuilder<TenantPaymentSettings> b)
    {
        b.ToTable("tenant_payment_settings");
        b.HasKey(x => x.TenantId);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.HasOne<Tenant>().WithOne().HasForeignKey<TenantPaymentSettings>(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DunningCaseMap : IEntityTypeConfiguration<DunningCase>
{
    public void Configure(EntityTypeBuilder<DunningCase> b)
    {
        b.ToTable("dunning_cases");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.InvoiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.LastDeclineCode).HasMaxLength(100);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasOne<Subscription>().WithMany().HasForeignKey(x => x.SubscriptionId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<InvoiceAccount>().WithMany().HasForeignKey(x => x.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        // One case per subscription and invoice.
        b.HasIndex(x => new { x.SubscriptionId, x.InvoiceId }).IsUnique();
        b.HasIndex(x => x.Status);
    }
}

internal sealed class DunningStepRecordMap : IEntityTypeConfiguration<DunningStepRecord>
{
    public void Configure(EntityTypeBuilder<DunningStepRecord> b)
    {
        b.ToTable("dunning_steps");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.CaseId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.InvoiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Step).HasMaxLength(20);
        b.Property(x => x.Detail).HasMaxLength(300);
        b.HasOne<DunningCase>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.InvoiceId);
    }
}

internal sealed class PaymentCustomerMap : IEntityTypeConfiguration<PaymentCustomer>
{
    public void Configure(EntityTypeBuilder<PaymentCustomer> b)
    {
        b.ToTable("payment_customers");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Provider).HasMaxLength(40);
        b.Property(x => x.CustomerRef).HasMaxLength(200);
        b.Property(x => x.PaymentMethodRef).HasMaxLength(200);
        b.Property(x => x.PaymentMethodLabel).HasMaxLength(100);
        b.HasIndex(x => new { x.TenantId, x.Provider }).IsUnique();
    }
}

internal sealed class ProviderPaymentMap : IEntityTypeConfiguration<ProviderPayment>
{
    public void Configure(EntityTypeBuilder<ProviderPayment> b)
    {
        b.ToTable("provider_payments");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.InvoiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Provider).HasMaxLength(40);
        b.Property(x => x.ProviderRef).HasMaxLength(200);
        b.Property(x => x.Kind).HasMaxLength(20);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.IdempotencyKey).HasMaxLength(100);
        b.Property(x => x.RedirectUrl).HasMaxLength(1000);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.FailureCode).HasMaxLength(100);
        b.HasOne<InvoiceAccount>().WithMany().HasForeignKey(x => x.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.Provider, x.ProviderRef }).IsUnique();
        b.HasIndex(x => x.InvoiceId);
    }
}

internal sealed class ProviderEventMap : IEntityTypeConfiguration<ProviderEvent>
{
    public void Configure(EntityTypeBuilder<ProviderEvent> b)
    {
        b.ToTable("provider_events");
        b.HasKey(x => new { x.Provider, x.EventId });
        b.Property(x => x.Provider).HasMaxLength(40);
        b.Property(x => x.EventId).HasMaxLength(200);
        b.Property(x => x.Outcome).HasMaxLength(200);
        b.Property(x => x.InvoiceId).HasMaxLength(Ids.MaxLength);
    }
}
