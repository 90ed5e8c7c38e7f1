using System.Globalization;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Payments;

/// <summary>What dunning does at its end (after <see cref="DunningPolicy.FinalAfterDays"/>).</summary>
public enum DunningFinalAction
{
    /// <summary>Cancel the subscription (the invoice stays due).</summary>
    Cancel,

    /// <summary>Write the invoice off (uncollectible) and cancel the subscription.</summary>
    WriteOff,
}

/// <summary>
/// A partner's dunning policy, as data (issue 16): off-session retries at <see cref="RetryDays"/> days after the
/// first failure (hard declines are not retried), reminders at <see cref="ReminderDays"/> days (dunning.step.v1
/// events until the email system exists), the subscription past_due at the first failure, suspended
/// <see cref="SuspendAfterDays"/> days after it, and at <see cref="FinalAfterDays"/> the <see cref="FinalAction"/>.
/// </summary>
/// <param name="RetryDays">Days after the first failure of each retry, ascending (default +1, +3, +5, +7).</param>
/// <param name="ReminderDays">Days after the first failure of each reminder, ascending.</param>
/// <param name="SuspendAfterDays">Grace period before suspension.</param>
/// <param name="FinalAfterDays">When dunning ends.</param>
/// <param name="FinalAction">What happens then.</param>
public sealed record DunningPolicy(IReadOnlyList<int> RetryDays, IReadOnlyList<int> ReminderDays, int SuspendAfterDays, int FinalAfterDays, DunningFinalAction FinalAction)
{
    /// <summary>+1, +3, +5, +7 days retries; reminders at +3 and +10; suspended after 14 days; cancelled at 30.</summary>
    public static DunningPolicy Default { get; } = new([1, 3, 5, 7], [3, 10], 14, 30, DunningFinalAction.Cancel);

    /// <summary>Checks the policy: days positive and ascending, suspension before the end.</summary>
    /// <exception cref="DomainValidationException">The field that is wrong.</exception>
    public DunningPolicy Validate()
    {
        Ascending(RetryDays, "retry_days");
        Ascending(ReminderDays, "reminder_days");
        if (SuspendAfterDays < 1 || SuspendAfterDays > 365)
        {
            throw new DomainValidationException("suspend_after_days", "suspend_after_days must be between 1 and 365.");
        }

        if (FinalAfterDays < SuspendAfterDays || FinalAfterDays > 730)
        {
            throw new DomainValidationException("final_after_days", "final_after_days must be at least suspend_after_days and at most 730.");
        }

        return this;
    }

    /// <summary>"1,3,5,7" form of a day list (stored).</summary>
    public static string Format(IReadOnlyList<int> days) => string.Join(',', days.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Parses the stored "1,3,5,7" form.</summary>
    public static IReadOnlyList<int> Parse(string? days) =>
        string.IsNullOrWhiteSpace(days) ? [] : days.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();

    private static void Ascending(IReadOnlyList<int> days, string field)
    {
        if (days.Count > 20 || days.Any(d => d < 1 || d > 365) || days.Zip(days.Skip(1)).Any(p => p.First >= p.Second))
        {
            throw new DomainValidationException(field, $"{field} must be at most 20 ascending whole days between 1 and 365.");
        }
    }
}

/// <summary>
/// A partner's payment settings (table partner_payment_settings): payment terms, the one payment provider its
/// tenants pay through (credentials by vault path, docs/secrets.md) and its dunning policy. A partner without a row
/// gets the defaults: 14 days, bank transfer, <see cref="DunningPolicy.Default"/>.
/// </summary>
public sealed class PartnerPaymentSettings : IPartnerOwned
{
    /// <summary>The default payment terms in days (BT-9 = BT-2 + terms).</summary>
    public const int DefaultTermsDays = 14;

    private PartnerPaymentSettings() { }

    /// <summary>Settings of <paramref name="partnerId"/> with the defaults.</summary>
    public PartnerPaymentSettings(string partnerId, DateTimeOffset now)
    {
        PartnerId = partnerId;
        PaymentTermsDays = DefaultTermsDays;
        Provider = "bank_transfer";
        SetPolicy(DunningPolicy.Default, now);
    }

    public string PartnerId { get; private set; } = default!;

    /// <summary>Days from issue to due date (0..365).</summary>
    public int PaymentTermsDays { get; private set; }

    /// <summary>bank_transfer, test, stripe, mollie or coinbase.</summary>
    public string Provider { get; private set; } = default!;

    /// <summary>Where the provider's API key and webhook secret are (a secret-store path), if the provider needs any.</summary>
    public string? CredentialsVaultPath { get; private set; }

    /// <summary>Stored "1,3,5,7".</summary>
    public string RetryDays { get; private set; } = default!;

    /// <summary>Stored "3,10".</summary>
    public string ReminderDays { get; private set; } = default!;
    public int SuspendAfterDays { get; private set; }
    public int FinalAfterDays { get; private set; }
    public DunningFinalAction FinalAction { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The dunning policy as a value.</summary>
    public DunningPolicy Policy => new(DunningPolicy.Parse(RetryDays), DunningPolicy.Parse(ReminderDays), SuspendAfterDays, FinalAfterDays, FinalAction);

    /// <summary>Sets the payment terms.</summary>
    /// <exception cref="DomainValidationException">Outside 0..365.</exception>
    public void SetTerms(int days, DateTimeOffset now)
    {
        PaymentTermsDays = PaymentTerms.Require(days, "payment_terms_days");
        UpdatedAt = now;
    }

    /// <summary>Sets the provider and its credentials path.</summary>
    /// <exception cref="DomainValidationException">Unknown provider.</exception>
    public void SetProvider(string provider, string? vaultPath, DateTimeOffset now)
    {
        if (!PaymentProviders.Known.Contains(provider))
        {
            throw new DomainValidationException("provider", $"provider must be one of {string.Join(", ", PaymentProviders.Known)}.");
        }

        Provider = provider;
        CredentialsVaultPath = Guard.OptionalText(vaultPath, "credentials_vault_path", 200);
        UpdatedAt = now;
    }

    /// <summary>Sets the dunning policy (validated).</summary>
    /// <exception cref="DomainValidationException">See <see cref="DunningPolicy.Validate"/>.</exception>
    public void SetPolicy(DunningPolicy policy, DateTimeOffset now)
    {
        policy.Validate();
        RetryDays = DunningPolicy.Format(policy.RetryDays);
        ReminderDays = DunningPolicy.Format(policy.ReminderDays);
        SuspendAfterDays = policy.SuspendAfterDays;
        FinalAfterDays = policy.FinalAfterDays;
        FinalAction = policy.FinalAction;
        UpdatedAt = now;
    }
}

/// <summary>A tenant's overrides (table tenant_payment_settings): its own payment terms, and dunning paused by the operator.</summary>
public sealed class TenantPaymentSettings : ITenantOwned
{
    private TenantPaymentSettings() { }

    /// <summary>No override yet for <paramref name="tenantId"/>.</summary>
    public TenantPaymentSettings(string partnerId, string tenantId, DateTimeOffset now)
    {
        PartnerId = partnerId;
        TenantId = tenantId;
        UpdatedAt = now;
    }

    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;

    /// <summary>Overrides the partner's terms when set.</summary>
    public int? PaymentTermsDays { get; private set; }

    /// <summary>While true no retry, reminder or escalation runs for this tenant's subscriptions.</summary>
    public bool DunningPaused { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Sets (or with null clears) the override.</summary>
    /// <exception cref="DomainValidationException">Outside 0..365.</exception>
    public void SetTerms(int? days, DateTimeOffset now)
    {
        PaymentTermsDays = days is null ? null : PaymentTerms.Require(days.Value, "payment_terms_days");
        UpdatedAt = now;
    }

    /// <summary>Pauses or resumes dunning.</summary>
    public void SetDunningPaused(bool paused, DateTimeOffset now)
    {
        DunningPaused = paused;
        UpdatedAt = now;
    }
}

/// <summary>Payment terms rule: a tenant's override, else its partner's, else 14 days.</summary>
public static class PaymentTerms
{
    /// <summary>The terms in force.</summary>
    public static int Resolve(int? tenantOverride, int? partnerTerms) => tenantOverride ?? partnerTerms ?? PartnerPaymentSettings.DefaultTermsDays;

    /// <summary>Checks 0..365 days.</summary>
    /// <exception cref="DomainValidationException">Outside.</exception>
    public static int Require(int days, string field) =>
        days is >= 0 and <= 365 ? days : throw new DomainValidationException(field, $"{field} must be between 0 and 365 days.");
}

/// <summary>The payment provider names.</summary>
public static class PaymentProviders
{
    public const string BankTransfer = "bank_transfer";
    public const string Test = "test";
    public const string Stripe = "stripe";
    public const string Mollie = "mollie";
    public const string Coinbase = "coinbase";

    /// <summary>Every provider a partner can choose.</summary>
    public static IReadOnlyList<string> Known { get; } = [BankTransfer, Test, Stripe, Mollie, Coinbase];
}
