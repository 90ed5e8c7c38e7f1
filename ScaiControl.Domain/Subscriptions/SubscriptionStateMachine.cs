using System.Text;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;

namespace ScaiControl.Domain.Subscriptions;

/// <summary>The subscription states, exactly as the spec draws them (spec 000: pending → trialing → active → past_due/cancelling → cancelled/expired/suspended).</summary>
public enum SubscriptionStatus
{
    Pending,
    Trialing,
    Active,
    PastDue,
    Cancelling,
    Cancelled,
    Expired,
    Suspended,
}

/// <summary>The actions that move a subscription between states; one method each on <see cref="Subscription"/>.</summary>
public enum SubscriptionAction
{
    StartTrial,
    Activate,
    MarkPastDue,
    SettlePayment,
    ScheduleCancellation,
    Resume,
    Cancel,
    Expire,
    Suspend,
    Unsuspend,
    ChangePlan,
}

/// <summary>One allowed transition: from any of <paramref name="From"/>, <paramref name="Action"/> leads to <paramref name="To"/> and emits <paramref name="Topic"/>.</summary>
public sealed record SubscriptionTransition(SubscriptionAction Action, IReadOnlyList<SubscriptionStatus> From, SubscriptionStatus To, string Topic, string Description);

/// <summary>
/// The transition table, written once. <see cref="Subscription"/> derives its checks from it and
/// docs/state-machines.md is generated from it (<see cref="ToMarkdown"/>; a test keeps the page in step).
/// </summary>
public static class SubscriptionStateMachine
{
    private static readonly SubscriptionStatus[] Live =
        [SubscriptionStatus.Pending, SubscriptionStatus.Trialing, SubscriptionStatus.Active, SubscriptionStatus.PastDue, SubscriptionStatus.Cancelling, SubscriptionStatus.Suspended];

    /// <summary>Every allowed transition. Anything not listed is forbidden.</summary>
    public static IReadOnlyList<SubscriptionTransition> Transitions { get; } =
    [
        new(SubscriptionAction.StartTrial, [SubscriptionStatus.Pending], SubscriptionStatus.Trialing, EventTopics.SubscriptionActivated, "Plan has trial days: the trial starts."),
        new(SubscriptionAction.Activate, [SubscriptionStatus.Pending, SubscriptionStatus.Trialing], SubscriptionStatus.Active, EventTopics.SubscriptionActivated, "Provisioned without trial, or the trial converted."),
        new(SubscriptionAction.MarkPastDue, [SubscriptionStatus.Active], SubscriptionStatus.PastDue, EventTopics.SubscriptionPaymentFailed, "A payment failed."),
        new(SubscriptionAction.SettlePayment, [SubscriptionStatus.PastDue], SubscriptionStatus.Active, EventTopics.SubscriptionResumed, "The overdue payment arrived."),
        new(SubscriptionAction.ScheduleCancellation, [SubscriptionStatus.Trialing, SubscriptionStatus.Active, SubscriptionStatus.PastDue], SubscriptionStatus.Cancelling, EventTopics.SubscriptionChanged, "Cancel at period end: runs until the current period ends."),
        new(SubscriptionAction.Resume, [SubscriptionStatus.Cancelling], SubscriptionStatus.Active, EventTopics.SubscriptionResumed, "A scheduled cancellation is withdrawn before the period ends."),
        new(SubscriptionAction.Cancel, Live, SubscriptionStatus.Cancelled, EventTopics.SubscriptionCancelled, "Immediate cancellation, or a scheduled one taking effect."),
        new(SubscriptionAction.Expire, [SubscriptionStatus.Trialing, SubscriptionStatus.Active, SubscriptionStatus.PastDue, SubscriptionStatus.Cancelling], SubscriptionStatus.Expired, EventTopics.SubscriptionChanged, "A trial ended without conversion, or a fixed term ran out."),
        new(SubscriptionAction.Suspend, [SubscriptionStatus.Active, SubscriptionStatus.PastDue, SubscriptionStatus.Cancelling], SubscriptionStatus.Suspended, EventTopics.SubscriptionSuspended, "Operator action, or dunning after the grace period."),
        new(SubscriptionAction.Unsuspend, [SubscriptionStatus.Suspended], SubscriptionStatus.Active, EventTopics.SubscriptionResumed, "The operator lifts a suspension."),
        new(SubscriptionAction.ChangePlan, [SubscriptionStatus.Trialing], SubscriptionStatus.Trialing, EventTopics.SubscriptionChanged, "Plan change during a trial: nothing is billed yet, so no proration."),
        new(SubscriptionAction.ChangePlan, [SubscriptionStatus.Active], SubscriptionStatus.Active, EventTopics.SubscriptionChanged, "Plan change now (prorated) or at the period end (docs/lifecycle.md)."),
    ];

    /// <summary>The transition for <paramref name="action"/> from <paramref name="from"/>, or null when forbidden.</summary>
    public static SubscriptionTransition? Find(SubscriptionStatus from, SubscriptionAction action) =>
        Transitions.FirstOrDefault(t => t.Action == action && t.From.Contains(from));

    /// <summary>The actions allowed in <paramref name="status"/>, in table order.</summary>
    public static IReadOnlyList<SubscriptionAction> AllowedActions(SubscriptionStatus status) =>
        Transitions.Where(t => t.From.Contains(status)).Select(t => t.Action).ToArray();

    /// <summary>True for states nothing leaves (cancelled, expired).</summary>
    public static bool IsTerminal(SubscriptionStatus status) => AllowedActions(status).Count == 0;

    /// <summary>The spec's wire name of a status (snake_case, e.g. "past_due").</summary>
    public static string WireName(this SubscriptionStatus status) => status switch
    {
        SubscriptionStatus.Pending => "pending",
        SubscriptionStatus.Trialing => "trialing",
        SubscriptionStatus.Active => "active",
        SubscriptionStatus.PastDue => "past_due",
        SubscriptionStatus.Cancelling => "cancelling",
        SubscriptionStatus.Cancelled => "cancelled",
        SubscriptionStatus.Expired => "expired",
        SubscriptionStatus.Suspended => "suspended",
    };

    /// <summary>Parses a wire name ("past_due"); null when unknown.</summary>
    public static SubscriptionStatus? ParseStatus(string? value) =>
        Enum.GetValues<SubscriptionStatus>().Cast<SubscriptionStatus?>().FirstOrDefault(s => s!.Value.WireName() == value);

    /// <summary>The snake_case wire name of an action (e.g. "schedule_cancellation").</summary>
    public static string WireName(this SubscriptionAction action) =>
        string.Concat(action.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>The docs page for the table (docs/state-machines.md), generated, never hand-edited.</summary>
    public static string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# State machines");
        sb.AppendLine();
        sb.AppendLine("<!-- Generated from SubscriptionStateMachine.Transitions by `admin docs state-machines`; do not edit by hand. -->");
        sb.AppendLine();
        sb.AppendLine("## Subscription");
        sb.AppendLine();
        sb.AppendLine("| action | from | to | event | when |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var t in Transitions)
        {
            sb.AppendLine($"| `{t.Action.WireName()}` | {string.Join(", ", t.From.Select(f => $"`{f.WireName()}`"))} | `{t.To.WireName()}` | `{t.Topic}` | {t.Description} |");
        }

        sb.AppendLine();
        sb.AppendLine("Any other (state, action) pair is refused with HTTP 409, naming the current state and the allowed actions.");
        sb.AppendLine();
        sb.AppendLine("| state | allowed actions |");
        sb.AppendLine("|---|---|");
        foreach (var s in Enum.GetValues<SubscriptionStatus>())
        {
            var allowed = AllowedActions(s);
            sb.AppendLine($"| `{s.WireName()}` | {(allowed.Count == 0 ? "none (terminal)" : string.Join(", ", allowed.Select(a => $"`{a.WireName()}`")))} |");
        }

        return sb.ToString();
    }
}

/// <summary>A transition the table forbids (HTTP 409). Names the current state and the actions it allows.</summary>
public sealed class SubscriptionTransitionException(SubscriptionStatus current, SubscriptionAction action)
    : DomainConflictException(
        $"Cannot {action.WireName()} a subscription that is {current.WireName()}.",
        current.WireName(),
        SubscriptionStateMachine.AllowedActions(current).Select(a => a.WireName()).ToArray());
