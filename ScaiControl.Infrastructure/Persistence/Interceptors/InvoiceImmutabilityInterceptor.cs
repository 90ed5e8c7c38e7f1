using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using ScaiControl.Domain.Invoicing;

namespace ScaiControl.Infrastructure.Persistence.Interceptors;

/// <summary>
/// Refuses, on every SaveChanges, any change to a finalised invoice or its lines (update, delete, or a line added),
/// whatever code path made it: the second line of defence behind the domain check. (The third is a database
/// trigger, which also covers bulk ExecuteUpdate/ExecuteDelete.) Raises <see cref="InvoiceImmutableException"/>.
/// </summary>
public sealed class InvoiceImmutabilityInterceptor : SaveChangesInterceptor
{
    /// <inheritdoc/>
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Check(eventData.Context);
        return result;
    }

    /// <inheritdoc/>
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Check(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Check(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        foreach (var entry in context.ChangeTracker.Entries<Invoice>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted
                && entry.OriginalValues.GetValue<InvoiceStatus>(nameof(Invoice.Status)) == InvoiceStatus.Finalised)
            {
                throw new InvoiceImmutableException(entry.Entity.Id);
            }
        }

        foreach (var entry in context.ChangeTracker.Entries<InvoiceLine>())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }

            if (ParentIsFinalised(context, entry))
            {
                throw new InvoiceImmutableException(entry.Entity.InvoiceId);
            }
        }
    }

    private static bool ParentIsFinalised(DbContext context, EntityEntry<InvoiceLine> line)
    {
        var parent = context.ChangeTracker.Entries<Invoice>().FirstOrDefault(e => e.Entity.Id == line.Entity.InvoiceId);
        if (parent is not null)
        {
            // A line added in the same save as the finalisation is fine; one added to an already finalised invoice is not.
            return parent.State != EntityState.Added && parent.OriginalValues.GetValue<InvoiceStatus>(nameof(Invoice.Status)) == InvoiceStatus.Finalised;
        }

        return context.Set<Invoice>().IgnoreQueryFilters().AsNoTracking()
            .Any(i => i.Id == line.Entity.InvoiceId && i.Status == InvoiceStatus.Finalised);
    }
}
