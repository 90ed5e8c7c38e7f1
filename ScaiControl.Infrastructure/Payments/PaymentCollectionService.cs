using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Quartz;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Payments;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Payments;

/// <summary>What one collection pass did.</summary>
/// <param name="Charged">Off-session charges made (first charges and retries).</param>
/// <param name="Steps">Dunning steps taken (retries, reminders, suspensions, final actions).</param>
/// <param name="Skipped">Steps another node took first (or that changed meanwhile).</param>
public sealed record CollectionResult(int Charged, int Steps, int Skipped);

/// <summary>
/// Collection and dunning (issue 16). A pass at a given clock: (1) charges every newly issued invoice off-session
/// once, when its partner collects through a provider and the tenant has a stored method; (2) runs the steps of every
/// active dunning case that are due under its partner's <see cref="DunningPolicy"/>: retries (soft declines only),
/// reminders (dunning.step.v1; the email system sends them when it exists), suspension after the grace period and the
/// final action (cancel, or write off and cancel). A first failure opens one case per subscription on the invoice and
/// moves each active subscription to past_due. A payment at any point (a retry, a bank transfer, a credit note)
/// settles the cases and resumes the subscriptions at once (<see cref="PaymentLedger.SettleIfDoneAsync"/>).
/// Safe on several nodes: every step is saved with its case's (and account's) version, so one node wins and the
/// other skips; every charge carries an idempotency key (invoice or case + attempt), so the provider charges once.
/// A tenant whose dunning is paused is skipped.
/// </summary>
public sealed class PaymentCollectionService(ScaiDbFactory factory, PaymentProviderResolver resolver, ILogger<PaymentCollectionService> logger)
{
    private const string Actor = "system:dunning";

    /// <summary>
    /// Operator: chooses the test provider's outcome for a tenant (its stored "method": test_succeed,
    /// test_decline_soft, test_decline_hard), creating the tenant's test customer when needed.
    /// </summary>
    /// <exception cref="DomainValidationException">Unknown outcome.</exception>
    /// <exception cref="UnauthorizedAccessException">Not the operator or the tenant's partner admin.</exception>
    /// <exception cref="NotFoundException">Unknown or invisible tenant.</exception>
    public async Task<PaymentCustomer> SetTestOutcomeAsync(Actor actor, string tenantId, string? outcome, DateTimeOffset now, CancellationToken ct = default)
    {
        RequireOperator(actor);
        if (outcome is null || !TestPaymentProvider.Outcomes.Contains(outcome))
        {
            throw new DomainValidationException("outcome", $"outcome must be one of {string.Join(", ", TestPaymentProvider.Outcomes)}.");
        }

        await using var db = await factory.OpenAsync(actor, "set test payment outcome", ct);
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, ct) ?? throw new NotFoundException("tenant", tenantId);
        var customer = await db.Set<PaymentCustomer>().SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Provider == PaymentProviders.Test, ct);
        if (customer is null)
        {
            customer = new PaymentCustomer(tenant.PartnerId, tenant.Id, PaymentProviders.Test, "tcus_" + tenant.Id, now);
            db.Add(customer);
        }

        customer.SetMethod(outcome, "Test card (" + outcome["test_".Length..].Replace('_', ' ') + ")", now);
        await db.SaveChangesAsync(ct);
        return customer;
    }

    /// <summary>Operator: the provider a partner's tenants pay through (bank_transfer, test, stripe, mollie, coinbase) and its credentials' vault path.</summary>
    /// <exception cref="DomainValidationException">Unknown provider.</exception>
    /// <exception cref="UnauthorizedAccessException">Not the operator or that partner's admin.</exception>
    public async Task<PartnerPaymentSettings> SetPartnerProviderAsync(Actor actor, string partnerId, string? provider, string? vaultPath, DateTimeOffset now, CancellationToken ct = default)
    {
        RequireOperator(actor);
        if (!actor.IsSuperAdmin && actor.PartnerId != partnerId)
        {
            throw new UnauthorizedAccessException("A partner admin configures only its own partner.");
        }

        await using var db = await factory.OpenAsync(actor, "set payment provider", ct);
        var settings = await db.Set<PartnerPaymentSettings>().SingleOrDefaultAsync(s => s.PartnerId == partnerId, ct);
        if (settings is null)
        {
            settings = new PartnerPaymentSettings(partnerId, now);
            db.Add(settings);
        }

        settings.SetProvider(provider ?? string.Empty, vaultPath, now);
        await db.SaveChangesAsync(ct);
        return settings;
    }

    /// <summary>
    /// The dunning queue: every active case the actor may see (the operator all, a partner admin its own tenants),
    /// with its next step and when it is due under its partner's policy, soonest first.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Not the operator or a partner admin.</exception>
    public async Task<IReadOnlyList<(DunningCase Case, DunningDue? Next, bool Paused)>> QueueAsync(Actor actor, CancellationToken ct = default)
    {
        RequireOperator(actor);
        await using var db = await factory.OpenAsync(actor, "read dunning queue", ct);
        var cases = await db.Set<DunningCase>().AsNoTracking().Where(c => c.Status == DunningStatus.Active).OrderBy(c => c.StartedAt).Take(500).ToListAsync(ct);
        var partnerIds = cases.Select(c => c.PartnerId).Distinct().ToList();
        var policies = await db.Set<PartnerPaymentSettings>().AsNoTracking().Where(s => partnerIds.Contains(s.PartnerId)).ToDictionaryAsync(s => s.PartnerId, s => s.Policy, ct);
        var tenantIds = cases.Select(c => c.TenantId).Distinct().ToList();
        var paused = await db.Set<TenantPaymentSettings>().AsNoTracking().Where(t => tenantIds.Contains(t.TenantId) && t.DunningPaused).Select(t => t.TenantId).ToListAsync(ct);
        return cases.Select(c => (c, c.Next(policies.GetValueOrDefault(c.PartnerId) ?? DunningPolicy.Default), paused.Contains(c.TenantId)))
            .OrderBy(x => x.Item2?.At ?? DateTimeOffset.MaxValue).ToList();
    }

    /// <summary>The dunning history of an invoice (every step of every case, oldest first); a tenant reads its own.</summary>
    /// <exception cref="NotFoundException">Unknown or invisible invoice.</exception>
    public async Task<IReadOnlyList<DunningStepRecord>> HistoryAsync(Actor actor, string invoiceId, CancellationToken ct = default)
    {
        if (!actor.Can(Permissions.InvoicesRead))
        {
            throw new UnauthorizedAccessException($"The permission '{Permissions.InvoicesRead}' is required.");
        }

        await using var db = await factory.OpenAsync(actor, "read dunning history", ct);
        if (!await db.Invoices.AnyAsync(i => i.Id == invoiceId, ct))
        {
            throw new NotFoundException("invoice", invoiceId);
        }

        var steps = await db.Set<DunningStepRecord>().AsNoTracking().Where(s => s.InvoiceId == invoiceId).ToListAsync(ct);
        return steps.OrderBy(s => s.At).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>Operator: pauses (or resumes) dunning for a tenant: no retry, reminder or escalation runs while paused.</summary>
    /// <exception cref="NotFoundException">Unknown or invisible tenant.</exception>
    public async Task<TenantPaymentSettings> SetDunningPausedAsync(Actor actor, string tenantId, bool paused, DateTimeOffset now, CancellationToken ct = default)
    {
        RequireOperator(actor);
        await using var db = await factory.OpenAsync(actor, "pause dunning", ct);
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, ct) ?? throw new NotFoundException("tenant", tenantId);
        var settings = await db.Set<TenantPaymentSettings>().SingleOrDefaultAsync(t => t.TenantId == tenantId, ct);
        if (settings is null)
        {
            settings = new TenantPaymentSettings(tenant.PartnerId, tenant.Id, now);
            db.Add(settings);
        }

        settings.SetDunningPaused(paused, now);
        await db.SaveChangesAsync(ct);
        return settings;
    }

    /// <summary>The signed-in tenant's stored payment method at its partner's provider (null: none stored, or the partner takes bank transfers).</summary>
    public async Task<PaymentCustomer?> PaymentMethodAsync(Actor actor, CancellationToken ct = default)
    {
        if (actor.TenantId is not { } tenantId)
        {
            return null;
        }

        await using var db = await factory.OpenAsync(actor, "read payment method", ct);
        var provider = (await db.Set<PartnerPaymentSettings>().AsNoTracking().SingleOrDefaultAsync(s => s.PartnerId == actor.PartnerId, ct))?.Provider;
        return provider is null or PaymentProviders.BankTransfer
            ? null
            : await db.Set<PaymentCustomer>().AsNoTracking().SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Provider == provider, ct);
    }

    /// <summary>
    /// The tenant's "set up payment method": creates its customer at the partner's provider when it has none (idempotency
    /// key <c>{tenant}:customer</c>, so two clicks or two nodes create one), and answers the provider's hosted page on
    /// which the buyer stores a card or mandate; the provider's webhook then stores the method
    /// (<see cref="PaymentWebhookService"/>), and off-session charges use it. Returns the page's address; the provider
    /// sends the buyer back to <c>returnUrl</c> (an absolute URL of this portal).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Not a tenant user.</exception>
    /// <exception cref="DomainValidationException">No absolute http(s) return URL.</exception>
    /// <exception cref="DomainConflictException">The partner takes bank transfers, or the tenant has no billing profile yet.</exception>
    public async Task<string> StartMethodSetupAsync(Actor actor, string? returnUrl, DateTimeOffset now, CancellationToken ct = default)
    {
        if (actor.TenantId is not { } tenantId)
        {
            throw new UnauthorizedAccessException("Only a tenant user sets up its payment method.");
        }

        if (!Uri.TryCreate(returnUrl, UriKind.Absolute, out var back) || back.Scheme is not ("http" or "https"))
        {
            throw new DomainValidationException("return_url", "return_url must be an absolute http(s) URL.");
        }

        await using var db = await factory.ForSystemAsync("set up payment method", ct);
        var settings = await db.Set<PartnerPaymentSettings>().AsNoTracking().SingleOrDefaultAsync(s => s.PartnerId == actor.PartnerId, ct);
        var provider = (settings is null ? null : await resolver.ForAsync(settings, ct))
            ?? throw new DomainConflictException("Invoices of this account are paid by bank transfer: there is no payment method to set up.", "bank_transfer", []);
        var customer = await db.Set<PaymentCustomer>().SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Provider == provider.Name, ct);
        if (customer is null)
        {
            var profile = await db.Set<TenantBillingProfile>().AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenantId, ct)
                ?? throw new DomainConflictException("Complete the billing profile first: the payment provider needs the buyer's name and e-mail.", "no_billing_profile", []);
            var created = await provider.SetUpCustomerAsync(tenantId, profile.Email, profile.LegalName, $"{tenantId}:customer", ct);
            customer = new PaymentCustomer(settings!.PartnerId, tenantId, provider.Name, created.CustomerRef, now);
            db.Add(customer);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another click or node stored the customer first (the provider answered both with one customer: same key).
                db.ChangeTracker.Clear();
                customer = await db.Set<PaymentCustomer>().AsNoTracking().SingleAsync(c => c.TenantId == tenantId && c.Provider == provider.Name, ct);
            }
        }

        return await provider.CreateMethodSetupAsync(customer.CustomerRef, back.AbsoluteUri, $"{tenantId}:setup:{Ids.New("set")}", ct);
    }

    /// <summary>
    /// The tenant's Pay button: charges what is owed on its own open, partially paid or overdue invoice once through
    /// the partner's provider with the stored method (the test provider: the outcome the operator chose), and books the
    /// outcome as the collection job does (a payment that settles the invoice and its dunning, or a failed attempt with
    /// invoice.payment_failed.v1; a first failure opens dunning). Idempotency key <c>{invoice}:portal:{n}</c>.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Not a tenant user with invoices:read.</exception>
    /// <exception cref="NotFoundException">Unknown invoice or another tenant's.</exception>
    /// <exception cref="DomainConflictException">Nothing due, no provider (bank transfer), no stored method, or changed meanwhile.</exception>
    public async Task<ProviderChargeResult> PayNowAsync(Actor actor, string invoiceId, DateTimeOffset now, CancellationToken ct = default)
    {
        if (actor.TenantId is not { } tenantId || !actor.Can(Permissions.InvoicesRead))
        {
            throw new UnauthorizedAccessException("Only the invoice's tenant pays it here.");
        }

        await using (var scoped = await factory.OpenAsync(actor, "pay invoice", ct))
        {
            // Visible in the tenant's own scope, or it does not exist for this user.
            if (!await scoped.Set<InvoiceAccount>().AsNoTracking().AnyAsync(a => a.InvoiceId == invoiceId && a.TenantId == tenantId, ct))
            {
                throw new NotFoundException("invoice", invoiceId);
            }
        }

        await using var db = await factory.ForSystemAsync("pay invoice", ct);
        var account = await db.Set<InvoiceAccount>().SingleAsync(a => a.InvoiceId == invoiceId, ct);
        if (account.OwedMinor == 0 || account.Status is not (InvoicePaymentStatus.Open or InvoicePaymentStatus.PartiallyPaid or InvoicePaymentStatus.Overdue))
        {
            throw new DomainConflictException($"Invoice {account.InvoiceNumber} is {account.Status.WireName()}: nothing is due.", account.Status.WireName(), []);
        }

        var settings = await db.Set<PartnerPaymentSettings>().AsNoTracking().SingleOrDefaultAsync(s => s.PartnerId == account.PartnerId, ct);
        var provider = settings is null ? null : await resolver.ForAsync(settings, ct);
        if (settings is null || provider is null)
        {
            throw new DomainConflictException($"Invoice {account.InvoiceNumber} is paid by bank transfer to the IBAN on the invoice.", account.Status.WireName(), []);
        }

        var customer = await db.Set<PaymentCustomer>().AsNoTracking().SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Provider == provider.Name, ct);
        if (customer?.PaymentMethodRef is null)
        {
            throw new DomainConflictException("No payment method is stored for this account.", account.Status.WireName(), []);
        }

        var earlier = await db.Set<ProviderPayment>().CountAsync(p => p.InvoiceId == invoiceId, ct);
        var result = await ChargeAsync(db, provider, account, customer, $"{invoiceId}:portal:{earlier + 1}", now, ct, attempt: earlier + 1);
        if (result.Status == ProviderPaymentStatus.Failed)
        {
            await OpenCasesAsync(db, account, settings.Policy, result, now, ct);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new DomainConflictException($"Invoice {account.InvoiceNumber} changed meanwhile (another payment): reload and check what is due.", account.Status.WireName(), []);
        }

        return result;
    }

    /// <summary>
    /// The tenant's hosted checkout for its own invoice at the partner's provider: the page's address; what WE asked
    /// for (amount owed, currency) is kept in provider_payments, and the provider's webhook books the outcome.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Not a tenant user.</exception>
    /// <exception cref="NotFoundException">Unknown invoice or another tenant's.</exception>
    /// <exception cref="DomainConflictException">Nothing due, or the partner takes bank transfers.</exception>
    public async Task<ProviderCheckoutResult> StartCheckoutAsync(Actor actor, string invoiceId, string returnUrl, DateTimeOffset now, CancellationToken ct = default)
    {
        if (actor.TenantId is not { } tenantId || !actor.Can(Permissions.InvoicesRead))
        {
            throw new UnauthorizedAccessException("Only the invoice's tenant pays it here.");
        }

        await using (var scoped = await factory.OpenAsync(actor, "start checkout", ct))
        {
            if (!await scoped.Set<InvoiceAccount>().AsNoTracking().AnyAsync(a => a.InvoiceId == invoiceId && a.TenantId == tenantId, ct))
            {
                throw new NotFoundException("invoice", invoiceId);
            }
        }

        await using var db = await factory.ForSystemAsync("start checkout", ct);
        var account = await db.Set<InvoiceAccount>().SingleAsync(a => a.InvoiceId == invoiceId, ct);
        if (account.OwedMinor == 0)
        {
            throw new DomainConflictException($"Invoice {account.InvoiceNumber} is {account.Status.WireName()}: nothing is due.", account.Status.WireName(), []);
        }

        var settings = await db.Set<PartnerPaymentSettings>().AsNoTracking().SingleOrDefaultAsync(s => s.PartnerId == account.PartnerId, ct);
        var provider = (settings is null ? null : await resolver.ForAsync(settings, ct))
            ?? throw new DomainConflictException($"Invoice {account.InvoiceNumber} is paid by bank transfer to the IBAN on the invoice.", account.Status.WireName(), []);
        var customer = await db.Set<PaymentCustomer>().AsNoTracking().SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Provider == provider!.Name, ct)
            ?? throw new DomainConflictException("No customer is set up at the payment provider for this account.", account.Status.WireName(), []);
        var key = $"{invoiceId}:checkout:{await db.Set<ProviderPayment>().CountAsync(p => p.InvoiceId == invoiceId, ct) + 1}";
        var checkout = await provider!.CreateCheckoutAsync(customer.CustomerRef, invoiceId, account.OwedMinor, account.Currency, returnUrl, key, ct);
        db.Add(new ProviderPayment(account, provider.Name, checkout.ProviderRef, "checkout", account.OwedMinor, key, checkout.RedirectUrl, now));
        await db.SaveChangesAsync(ct);
        return checkout;
    }

    /// <summary>Runs one collection pass at <paramref name="now"/> (UTC). Idempotent; catches up after downtime.</summary>
    public async Task<CollectionResult> RunAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        int charged = 0, steps = 0, skipped = 0;
        await using var db = await factory.ForSystemAsync("dunning", ct);
        var collecting = await db.Set<PartnerPaymentSettings>().AsNoTracking().Where(s => s.Provider != PaymentProviders.BankTransfer).ToListAsync(ct);
        foreach (var settings in collecting)
        {
            IPaymentProvider? provider;
            try
            {
                provider = await resolver.ForAsync(settings, ct);
            }
            catch (Exception e) when (e is KeyNotFoundException or DomainValidationException or Secrets.SecretStoreUnavailableException)
            {
                logger.LogWarning(e, "Partner {PartnerId}'s {Provider} credentials can't be read; its collection waits", settings.PartnerId, settings.Provider);
                continue;
            }

            if (provider is null)
            {
                logger.LogWarning("Partner {PartnerId} collects through {Provider}, which is not configured on this node", settings.PartnerId, settings.Provider);
                continue;
            }

            // (1) First charges of newly issued invoices.
            var fresh = await db.Set<InvoiceAccount>().AsNoTracking()
                .Where(a => a.PartnerId == settings.PartnerId && (a.Status == InvoicePaymentStatus.Open || a.Status == InvoicePaymentStatus.Overdue || a.Status == InvoicePaymentStatus.PartiallyPaid)
                            && !db.Set<ProviderPayment>().Any(p => p.InvoiceId == a.InvoiceId))
                .OrderBy(a => a.IssuedAt).Take(200).Select(a => a.InvoiceId).ToListAsync(ct);
            foreach (var invoiceId in fresh)
            {
                var (did, lost) = await StepAsync(db, () => FirstChargeAsync(db, provider, settings, invoiceId, now, ct), ct);
                charged += did;
                skipped += lost;
            }

            // (2) Due steps of active cases.
            var cases = await db.Set<DunningCase>().AsNoTracking().Where(c => c.PartnerId == settings.PartnerId && c.Status == DunningStatus.Active)
                .OrderBy(c => c.StartedAt).Take(500).Select(c => c.Id).ToListAsync(ct);
            foreach (var caseId in cases)
            {
                for (var guard = 0; guard < 20; guard++)
                {
                    var (did, lost) = await StepAsync(db, () => CaseStepAsync(db, provider, settings, caseId, now, ct), ct);
                    steps += did;
                    skipped += lost;
                    if (did == 0)
                    {
                        break;
                    }
                }
            }
        }

        return new CollectionResult(charged, steps, skipped);
    }

    /// <summary>Runs one step and saves it; a step another writer changed meanwhile counts as skipped.</summary>
    private async Task<(int Did, int Lost)> StepAsync(ScaiDbContext db, Func<Task<bool>> step, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        if (!await step())
        {
            return (0, 0);
        }

        try
        {
            await db.SaveChangesAsync(ct);
            return (1, 0);
        }
        catch (DbUpdateException e)
        {
            // A concurrency token (another node took this step) or the unique provider reference (the same charge booked twice).
            logger.LogInformation(e, "A dunning step was taken by another writer; skipped");
            db.ChangeTracker.Clear();
            return (0, 1);
        }
    }

    private static async Task<bool> FirstChargeAsync(ScaiDbContext db, IPaymentProvider provider, PartnerPaymentSettings settings, string invoiceId, DateTimeOffset now, CancellationToken ct)
    {
        var account = await db.Set<InvoiceAccount>().SingleAsync(a => a.InvoiceId == invoiceId, ct);
        var customer = await db.Set<PaymentCustomer>().AsNoTracking().SingleOrDefaultAsync(c => c.TenantId == account.TenantId && c.Provider == provider.Name, ct);
        if (customer?.PaymentMethodRef is null || account.OwedMinor == 0 || await PausedAsync(db, account.TenantId, ct))
        {
            return false;
        }

        var result = await ChargeAsync(db, provider, account, customer, $"{invoiceId}:first", now, ct);
        if (result.Status == ProviderPaymentStatus.Failed)
        {
            await OpenCasesAsync(db, account, settings.Policy, result, now, ct);
        }

        return true;
    }

    private static async Task<bool> CaseStepAsync(ScaiDbContext db, IPaymentProvider provider, PartnerPaymentSettings settings, string caseId, DateTimeOffset now, CancellationToken ct)
    {
        var c = await db.Set<DunningCase>().SingleAsync(x => x.Id == caseId, ct);
        var policy = settings.Policy;
        if (c.Next(policy) is not { } due || due.At > now || await PausedAsync(db, c.TenantId, ct))
        {
            return false;
        }

        var account = await db.Set<InvoiceAccount>().SingleAsync(a => a.InvoiceId == c.InvoiceId, ct);
        var subscription = await db.Subscriptions.SingleAsync(s => s.Id == c.SubscriptionId, ct);
        switch (due.Step)
        {
            case DunningSteps.Retry:
                var customer = await db.Set<PaymentCustomer>().AsNoTracking().SingleOrDefaultAsync(x => x.TenantId == c.TenantId && x.Provider == provider.Name, ct);
                if (customer?.PaymentMethodRef is null || account.OwedMinor == 0)
                {
                    // No method any more: the retry slot passes without a charge.
                    c.RetryFailed(false, "no_payment_method", now);
                    Record(db, c, account, DunningSteps.Retry, "no_payment_method", policy, now);
                    break;
                }

                var result = await ChargeAsync(db, provider, account, customer, $"{c.Id}:retry:{c.RetriesDone + 1}", now, ct, attempt: c.Attempts + 1, caseForNext: c, policy: policy);
                if (result.Status == ProviderPaymentStatus.Succeeded)
                {
                    c.RetrySucceeded(now);
                    await PaymentLedger.SettleIfDoneAsync(db, account, $"{provider.Name} {result.ProviderRef}", now, ct);
                }
                else
                {
                    c.RetryFailed(result.HardDecline, result.DeclineCode ?? "declined", now);
                    Record(db, c, account, DunningSteps.Retry, result.DeclineCode, policy, now);
                }

                break;
            case DunningSteps.Reminder:
                c.Reminded(now);
                Record(db, c, account, DunningSteps.Reminder, $"{new Money(account.AmountDueMinor, account.Currency)} due since {account.DueDate:yyyy-MM-dd}", policy, now);
                break;
            case DunningSteps.Suspended:
                if (SubscriptionStateMachine.AllowedActions(subscription.Status).Contains(SubscriptionAction.Suspend))
                {
                    subscription.Suspend(now, $"Unpaid invoice {account.InvoiceNumber}");
                }

                c.Suspended(now);
                Record(db, c, account, DunningSteps.Suspended, null, policy, now);
                break;
            default:
                string detail;
                if (policy.FinalAction == DunningFinalAction.WriteOff && account.AmountDueMinor > 0)
                {
                    db.Set<PaymentTransaction>().Add(account.WriteOff($"Dunning ended for {subscription.Id}", Actor, now));
                    detail = "written_off";
                }
                else
                {
                    detail = "cancelled";
                }

                if (SubscriptionStateMachine.AllowedActions(subscription.Status).Contains(SubscriptionAction.Cancel))
                {
                    subscription.Cancel(now, $"Unpaid invoice {account.InvoiceNumber}");
                }

                c.End(now);
                Record(db, c, account, DunningSteps.Final, detail, policy, now);
                break;
        }

        return true;
    }

    /// <summary>
    /// Charges what is owed on <paramref name="account"/> off-session and books the outcome: a success is a payment row
    /// (only for the amount and currency the provider reports AND we asked for; anything else is refused as
    /// amount_mismatch), a failure a failed-attempt row with invoice.payment_failed.v1.
    /// </summary>
    private static async Task<ProviderChargeResult> ChargeAsync(ScaiDbContext db, IPaymentProvider provider, InvoiceAccount account, PaymentCustomer customer, string key, DateTimeOffset now, CancellationToken ct,
        int attempt = 1, DunningCase? caseForNext = null, DunningPolicy? policy = null)
    {
        var asked = account.OwedMinor;
        var result = await provider.ChargeOffSessionAsync(customer.CustomerRef, customer.PaymentMethodRef!, account.InvoiceId, asked, account.Currency, key, ct);
        if (result.Status == ProviderPaymentStatus.Succeeded && (result.AmountMinor != asked || result.Currency != account.Currency))
        {
            result = result with { Status = ProviderPaymentStatus.Failed, DeclineCode = "amount_mismatch", HardDecline = true };
        }

        var payment = new ProviderPayment(account, provider.Name, result.ProviderRef, "off_session", asked, key, null, now);
        db.Add(payment);
        if (result.Status == ProviderPaymentStatus.Succeeded)
        {
            payment.Succeed(now);
            db.Set<PaymentTransaction>().Add(account.RecordPayment(new Money(asked, account.Currency), provider.Name, result.ProviderRef, now, Actor, now));
            await PaymentLedger.SettleIfDoneAsync(db, account, $"{provider.Name} {result.ProviderRef}", now, ct);
        }
        else if (result.Status == ProviderPaymentStatus.Failed)
        {
            payment.Fail(result.DeclineCode ?? "declined", now);
            DateTimeOffset? nextRetry = null;
            if (caseForNext is not null && policy is not null && !result.HardDecline && caseForNext.RetriesDone + 1 < policy.RetryDays.Count)
            {
                nextRetry = caseForNext.StartedAt.AddDays(policy.RetryDays[caseForNext.RetriesDone + 1]);
            }
            else if (caseForNext is null && !result.HardDecline)
            {
                var p = await PolicyAsync(db, account.PartnerId, ct);
                nextRetry = p.RetryDays.Count > 0 ? now.AddDays(p.RetryDays[0]) : null;
            }

            db.Set<PaymentTransaction>().Add(account.RecordFailure(provider.Name, result.ProviderRef, asked, result.DeclineCode ?? "declined", result.HardDecline, attempt, nextRetry, Actor, now));
        }

        return result;
    }

    /// <summary>The first failure: one case per subscription on the invoice; each active subscription goes past_due.</summary>
    private static async Task OpenCasesAsync(ScaiDbContext db, InvoiceAccount account, DunningPolicy policy, ProviderChargeResult result, DateTimeOffset now, CancellationToken ct)
    {
        var subscriptionIds = await db.InvoiceLines.AsNoTracking().Where(l => l.InvoiceId == account.InvoiceId && l.SubscriptionId != null)
            .Select(l => l.SubscriptionId!).Distinct().ToListAsync(ct);
        foreach (var subscriptionId in subscriptionIds)
        {
            if (await db.Set<DunningCase>().AnyAsync(c => c.SubscriptionId == subscriptionId && c.InvoiceId == account.InvoiceId, ct))
            {
                continue;
            }

            var c = new DunningCase(account.PartnerId, account.TenantId, subscriptionId, account.InvoiceId, result.HardDecline, result.DeclineCode ?? "declined", now);
            db.Add(c);
            var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == subscriptionId, ct);
            if (subscription is not null && SubscriptionStateMachine.AllowedActions(subscription.Status).Contains(SubscriptionAction.MarkPastDue))
            {
                subscription.MarkPastDue(now);
            }

            Record(db, c, account, DunningSteps.PastDue, result.DeclineCode, policy, now);
        }
    }

    private static void Record(ScaiDbContext db, DunningCase c, InvoiceAccount account, string step, string? detail, DunningPolicy policy, DateTimeOffset now)
    {
        db.Set<DunningStepRecord>().Add(new DunningStepRecord(c, step, detail, now));
        PaymentLedger.EmitStep(db, c, account, step, detail, c.Next(policy), now);
    }

    private static async Task<bool> PausedAsync(ScaiDbContext db, string tenantId, CancellationToken ct) =>
        await db.Set<TenantPaymentSettings>().AsNoTracking().AnyAsync(t => t.TenantId == tenantId && t.DunningPaused, ct);

    private static async Task<DunningPolicy> PolicyAsync(ScaiDbContext db, string partnerId, CancellationToken ct) =>
        (await db.Set<PartnerPaymentSettings>().AsNoTracking().SingleOrDefaultAsync(s => s.PartnerId == partnerId, ct))?.Policy ?? DunningPolicy.Default;

    private static void RequireOperator(Actor actor)
    {
        if (!actor.Can(Permissions.InvoicesWrite) || (actor.TenantId is not null && !actor.IsSuperAdmin))
        {
            throw new UnauthorizedAccessException("Only the operator or the partner's admin manages payment collection.");
        }
    }
}

/// <summary>The collection and dunning pass on its schedule (every 5 minutes).</summary>
[DisallowConcurrentExecution]
public sealed class CollectionJob(PaymentCollectionService collection, TimeProvider clock) : IJob
{
    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await collection.RunAsync(clock.GetUtcNow(), cancellationToken);
}
