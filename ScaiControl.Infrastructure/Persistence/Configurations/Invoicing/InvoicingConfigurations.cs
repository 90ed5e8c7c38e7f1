using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Infrastructure.Persistence.Configurations.Invoicing;

internal sealed class InvoiceMap : IEntityTypeConfiguration<Invoice>
{
    public void Configure(EntityTypeBuilder<Invoice> b)
    {
        b.ToTable("invoices");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.BillingRunId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.DocumentType).HasConversion<string>().HasMaxLength(20);
        // Concurrency token: two finalisations of one draft cannot both commit (the loser rolls back its number).
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20).IsConcurrencyToken();
        b.Property(x => x.VatRule).HasConversion<string>().HasMaxLength(30);
        b.Property(x => x.Number).HasMaxLength(30);
        // Gap-free numbering: a number exists once per seller.
        b.HasIndex(x => new { x.PartnerId, x.Number }).IsUnique();
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.Notes).HasMaxLength(2000);
        b.Property(x => x.ReferencedInvoiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.ReferencedInvoiceNumber).HasMaxLength(30);
        b.Property(x => x.CreditReason).HasMaxLength(500);
        b.Property(x => x.BuyerReference).HasMaxLength(100);
        b.HasIndex(x => x.ReferencedInvoiceId);
        b.HasMany(x => x.Lines).WithOne().HasForeignKey(l => l.InvoiceId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(x => x.Lines).UsePropertyAccessMode(PropertyAccessMode.Field).HasField("_lines");
        b.Ignore(x => x.PendingEvents);
        b.Ignore(x => x.NoteList);
        b.Ignore(x => x.Buyer);
        b.Ignore(x => x.Seller);
        b.Ignore(x => x.Totals);
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.TenantId, x.CreatedAt });
    }
}

internal sealed class InvoiceLineMap : IEntityTypeConfiguration<InvoiceLine>
{
    public void Configure(EntityTypeBuilder<InvoiceLine> b)
    {
        b.ToTable("invoice_lines");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.InvoiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.SubscriptionId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Description).HasMaxLength(500);
        b.Property(x => x.VatCategory).HasConversion<string>().HasMaxLength(2);
        b.Property(x => x.ExemptionReasonCode).HasMaxLength(30);
        b.Property(x => x.ExemptionReason).HasMaxLength(500);
        b.Property(x => x.BillingKey).HasMaxLength(80);
        b.Property(x => x.CreditedLineId).HasMaxLength(Ids.MaxLength);
        b.HasIndex(x => x.CreditedLineId);
        // No subscription period is ever invoiced twice, whichever node runs the billing run.
        b.HasIndex(x => x.BillingKey).IsUnique();
    }
}

internal sealed class InvoiceDocumentMap : IEntityTypeConfiguration<InvoiceDocument>
{
    public void Configure(EntityTypeBuilder<InvoiceDocument> b)
    {
        b.ToTable("invoice_documents");
        b.HasKey(x => x.InvoiceId);
        b.Property(x => x.InvoiceId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.TenantId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ObjectKey).HasMaxLength(300);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.Reason).HasMaxLength(1000);
        b.HasOne<Invoice>().WithOne().HasForeignKey<InvoiceDocument>(x => x.InvoiceId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.Status);
    }
}

internal sealed class DocumentSequenceMap : IEntityTypeConfiguration<DocumentSequence>
{
    public void Configure(EntityTypeBuilder<DocumentSequence> b)
    {
        b.ToTable("document_sequences");
        b.HasKey(x => new { x.PartnerId, x.Series, x.Year });
        b.Property(x => x.PartnerId).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Series).HasMaxLength(20);
    }
}

internal sealed class BillingRunMap : IEntityTypeConfiguration<BillingRun>
{
    public void Configure(EntityTypeBuilder<BillingRun> b)
    {
        b.ToTable("billing_runs");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(Ids.MaxLength);
        b.Property(x => x.Period).HasMaxLength(7);
        b.Property(x => x.RequestedBy).HasMaxLength(100);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Errors).HasMaxLength(20000);
        b.Property(x => x.ClaimedBy).HasMaxLength(100);
        b.HasIndex(x => x.Period);
        b.HasIndex(x => new { x.Status, x.LeaseUntil });
    }
}
