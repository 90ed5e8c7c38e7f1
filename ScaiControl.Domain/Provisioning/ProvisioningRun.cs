using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Provisioning;

/// <summary>Why a run was started: the plan's provision, change or deprovision workflow.</summary>
public enum RunKind
{
    /// <summary>Subscribing.</summary>
    Provision,

    /// <summary>A plan change.</summary>
    Change,

    /// <summary>Cancellation.</summary>
    Deprovision,
}

/// <summary>A run's state. Running -> Succeeded, or Running -> Compensating -> Rejected | CompensationFailed.</summary>
public enum RunStatus
{
    /// <summary>Steps are being called.</summary>
    Running,

    /// <summary>A step failed, the operator aborted or the deadline passed: completed steps are being undone in reverse order.</summary>
    Compensating,

    /// <summary>Every step succeeded.</summary>
    Succeeded,

    /// <summary>Compensation completed: provisioning.rejected.v1 went out.</summary>
    Rejected,

    /// <summary>A compensation call failed for good: needs the operator.</summary>
    CompensationFailed,
}

/// <summary>A step's forward state within a run.</summary>
public enum StepStatus
{
    /// <summary>Not started (its dependencies are not all done).</summary>
    Pending,

    /// <summary>Started: the call is in flight or waits for its next retry (the idempotency key is fixed).</summary>
    Running,

    /// <summary>async steps: accepted (202); waiting for the callback or the status poll.</summary>
    Waiting,

    /// <summary>Done; its output is recorded.</summary>
    Succeeded,

    /// <summary>Failed for good (a 4xx, retries spent, or the service said failed).</summary>
    Failed,

    /// <summary>No result in time: the service may have done the work, so it is compensated like a success.</summary>
    TimedOut,

    /// <summary>Never started because the run stopped.</summary>
    Skipped,
}

/// <summary>A step's compensation state.</summary>
public enum CompensationStatus
{
    /// <summary>Nothing to undo (not needed, or not yet decided).</summary>
    None,

    /// <summary>To be called, in reverse topological order.</summary>
    Pending,

    /// <summary>Called (key fixed), awaiting the answer or a retry.</summary>
    Running,

    /// <summary>Undone.</summary>
    Done,

    /// <summary>The compensation call failed for good.</summary>
    Failed,
}

/// <summary>
/// One step of one run (the engine's durable record): state, the idempotency key fixed for the call (sent as
/// Idempotency-Key on every retry), attempts, timings, request/response excerpts and output; the same for its
/// compensation. Tenant-owned like its run.
/// </summary>
public sealed class ProvisioningStepRun : ITenantOwned
{
    /// <summary>Longest request / response excerpt kept, characters.</summary>
    public const int ExcerptLength = 2000;

    private ProvisioningStepRun() { }

    /// <summary>A pending step of <paramref name="run"/>, in position <paramref name="order"/> of the topological order.</summary>
    public ProvisioningStepRun(ProvisioningRun run, string stepKey, int order)
    {
        Id = Ids.New("pstep");
        RunId = run.Id;
        PartnerId = run.PartnerId;
        TenantId = run.TenantId;
        StepKey = stepKey;
        Order = order;
    }

    public string Id { get; private set; } = default!;

    public string RunId { get; private set; } = default!;

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <inheritdoc/>
    public string TenantId { get; private set; } = default!;

    /// <summary>The workflow step's key.</summary>
    public string StepKey { get; private set; } = default!;

    /// <summary>Position in the topological order (0 first).</summary>
    public int Order { get; private set; }

    public StepStatus Status { get; set; }

    /// <summary>Fixed per step call: "{run}-{step}-{call}"; the same on every retry, a new one only on the operator's retry.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>Calls of the current step call made (retries included).</summary>
    public int Attempts { get; set; }

    /// <summary>Operator retries so far (part of the key).</summary>
    public int CallNumber { get; set; }

    /// <summary>When the next attempt or poll is due (UTC).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When an async step answered 202.</summary>
    public DateTimeOffset? AcceptedAt { get; set; }

    /// <summary>When an async step times out (UTC).</summary>
    public DateTimeOffset? DeadlineAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The step's result (a JSON object), readable by later steps as steps.KEY.output.FIELD.</summary>
    public string? OutputJson { get; set; }

    public string? RequestExcerpt { get; set; }

    public string? ResponseExcerpt { get; set; }

    /// <summary>The last error (status code, timeout, connection error, or the service's message).</summary>
    public string? Error { get; set; }

    public CompensationStatus Compensation { get; set; }

    /// <summary>Fixed for the compensation call: "{run}-{step}-undo".</summary>
    public string? CompensationKey { get; set; }

    public int CompensationAttempts { get; set; }

    public DateTimeOffset? CompensatedAt { get; set; }

    public string? CompensationError { get; set; }

    /// <summary>True when the service may have done this step's work (succeeded, or timed out / in flight when the run stopped).</summary>
    public bool MayHaveDoneWork => Status is StepStatus.Succeeded or StepStatus.TimedOut or StepStatus.Running or StepStatus.Waiting;

    /// <summary>Cuts text to the excerpt length.</summary>
    public static string? Excerpt(string? text) => text is null ? null : text.Length <= ExcerptLength ? text : text[..ExcerptLength] + "…";
}

/// <summary>
/// One run of a provisioning workflow version for one subscription (spec 001; issue 14). Holds the decisions of the
/// engine without I/O: which steps are ready (<see cref="ReadySteps"/>), when to stop and what to undo
/// (<see cref="StartCompensation"/>, <see cref="NextCompensation"/>), and the outcome events.
/// </summary>
public sealed class ProvisioningRun : AggregateRoot, ITenantOwned
{
    private ProvisioningRun() { }

    /// <summary>A running run of version <paramref name="version"/> of workflow <paramref name="workflowId"/>, with one pending step row per step in <paramref name="order"/>.</summary>
    public ProvisioningRun(string partnerId, string tenantId, string subscriptionId, string workflowId, int version, RunKind kind,
        IReadOnlyList<string> order, string contextJson, DateTimeOffset now, TimeSpan deadline)
    {
        Id = Ids.New("prun");
        PartnerId = partnerId;
        TenantId = tenantId;
        SubscriptionId = subscriptionId;
        WorkflowId = workflowId;
        WorkflowVersion = version;
        Kind = kind;
        Status = RunStatus.Running;
        ContextJson = contextJson;
        StartedAt = now;
        UpdatedAt = now;
        DeadlineAt = now + deadline;
        NextWakeAt = now;
        Steps = order.Select((k, i) => new ProvisioningStepRun(this, k, i)).ToList();
    }

    public string Id { get; private set; } = default!;

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <inheritdoc/>
    public string TenantId { get; private set; } = default!;

    public string SubscriptionId { get; private set; } = default!;

    public string WorkflowId { get; private set; } = default!;

    /// <summary>The version in force when the run started.</summary>
    public int WorkflowVersion { get; private set; }

    public RunKind Kind { get; private set; }

    public RunStatus Status { get; private set; }

    /// <summary>subscription.*, tenant.*, plan.*, run.* as a flat JSON object of text (snapshot at start).</summary>
    public string ContextJson { get; private set; } = "{}";

    /// <summary>Why the run stopped (failure, abort, deadline).</summary>
    public string? Reason { get; private set; }

    /// <summary>The step whose failure stopped the run.</summary>
    public string? FailedStepKey { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset DeadlineAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>When the job should look at the run next (UTC); null when finished.</summary>
    public DateTimeOffset? NextWakeAt { get; set; }

    /// <summary>The node holding the run's lease, and until when.</summary>
    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Concurrency token: bumped on every save of the run.</summary>
    public int Revision { get; set; }

    public List<ProvisioningStepRun> Steps { get; private set; } = [];

    /// <summary>True once succeeded, rejected or stuck in compensation.</summary>
    public bool IsFinished => Status is RunStatus.Succeeded or RunStatus.Rejected or RunStatus.CompensationFailed;

    /// <summary>Pending steps whose dependencies have all succeeded, in topological order (independent branches together).</summary>
    public IReadOnlyList<ProvisioningStepRun> ReadySteps(WorkflowDefinition definition)
    {
        if (Status != RunStatus.Running)
        {
            return [];
        }

        var done = Steps.Where(s => s.Status == StepStatus.Succeeded).Select(s => s.StepKey).ToHashSet(StringComparer.Ordinal);
        return Steps.Where(s => s.Status == StepStatus.Pending && (definition.Step(s.StepKey).DependsOn ?? []).All(done.Contains)).OrderBy(s => s.Order).ToList();
    }

    /// <summary>
    /// After a step's outcome: succeeds the run when every step succeeded (raising provisioning.completed.v1), or
    /// starts compensation when a step failed or timed out. Returns true when the run changed state.
    /// </summary>
    public bool Settle(DateTimeOffset now)
    {
        if (Status != RunStatus.Running)
        {
            return false;
        }

        if (Steps.FirstOrDefault(s => s.Status is StepStatus.Failed or StepStatus.TimedOut) is { } failed)
        {
            StartCompensation($"Step '{failed.StepKey}' {(failed.Status == StepStatus.TimedOut ? "timed out" : "failed")}: {failed.Error}", failed.StepKey, now);
            return true;
        }

        if (Steps.All(s => s.Status == StepStatus.Succeeded))
        {
            Status = RunStatus.Succeeded;
            FinishedAt = now;
            NextWakeAt = null;
            Raise(Event(EventTopicsProvisioning.Completed, now));
            return true;
        }

        return false;
    }

    /// <summary>
    /// Stops forward progress (a failure, the operator's abort, or the deadline): pending steps are skipped, and every
    /// step that may have done work (succeeded, timed out, or still in flight) is marked for compensation when it has
    /// a compensation call. Idempotent: a second call changes nothing.
    /// </summary>
    /// <exception cref="DomainConflictException">The run has already finished.</exception>
    public void StartCompensation(string reason, string? failedStepKey, DateTimeOffset now, WorkflowDefinition? definition = null)
    {
        if (Status == RunStatus.Compensating)
        {
            return;
        }

        if (Status != RunStatus.Running)
        {
            throw new DomainConflictException($"Run {Id} is {Status.ToString().ToLowerInvariant()}; only a running run can be aborted.", Status.ToString().ToLowerInvariant());
        }

        Status = RunStatus.Compensating;
        Reason = reason;
        FailedStepKey = failedStepKey;
        NextWakeAt = now;
        foreach (var s in Steps)
        {
            if (s.Status == StepStatus.Pending)
            {
                s.Status = StepStatus.Skipped;
            }
            else if (s.MayHaveDoneWork && s.Compensation == CompensationStatus.None
                     && (definition is null || definition.Step(s.StepKey).Compensation is not null))
            {
                s.Compensation = CompensationStatus.Pending;
                s.CompensationKey = $"{Id}-{s.StepKey}-undo";
            }
        }
    }

    /// <summary>
    /// The one step to compensate next: reverse topological order, one at a time, each exactly once. Null when none is
    /// left (then <see cref="FinishCompensation"/>) or one is in flight.
    /// </summary>
    public ProvisioningStepRun? NextCompensation() =>
        Status != RunStatus.Compensating || Steps.Any(s => s.Compensation == CompensationStatus.Running)
            ? null
            : Steps.Where(s => s.Compensation == CompensationStatus.Pending).OrderByDescending(s => s.Order).FirstOrDefault();

    /// <summary>
    /// Ends compensation once no step awaits it: Rejected (raising provisioning.rejected.v1, once) or, if a
    /// compensation failed, CompensationFailed. Returns true when the run finished now.
    /// </summary>
    public bool FinishCompensation(DateTimeOffset now)
    {
        if (Status != RunStatus.Compensating || Steps.Any(s => s.Compensation is CompensationStatus.Pending or CompensationStatus.Running))
        {
            return false;
        }

        // A forward call still in flight (an async step without a compensation) is left as it is: the run is over.
        Status = Steps.Any(s => s.Compensation == CompensationStatus.Failed) ? RunStatus.CompensationFailed : RunStatus.Rejected;
        FinishedAt = now;
        NextWakeAt = null;
        if (Status == RunStatus.Rejected)
        {
            Raise(Event(EventTopicsProvisioning.Rejected, now));
        }

        return true;
    }

    private DomainEvent Event(string topic, DateTimeOffset now) => new(topic, PartnerId, TenantId, Id, now, new Dictionary<string, object?>
    {
        ["run_id"] = Id,
        ["subscription_id"] = SubscriptionId,
        ["tenant_id"] = TenantId,
        ["workflow_id"] = WorkflowId,
        ["workflow_version"] = WorkflowVersion,
        ["kind"] = Kind.ToString().ToLowerInvariant(),
        ["status"] = Status.ToString().ToLowerInvariant(),
        ["reason"] = Reason,
        ["failed_step"] = FailedStepKey,
        ["compensated_steps"] = Steps.Where(s => s.Compensation == CompensationStatus.Done).OrderByDescending(s => s.Order).Select(s => s.StepKey).ToList(),
        ["started_at"] = StartedAt,
        ["finished_at"] = now,
    });
}

/// <summary>The provisioning topics (issue 14; spec 002 "provisioning rejection events"), additive per the versioning policy.</summary>
public static class EventTopicsProvisioning
{
    /// <summary>Every step of a run succeeded.</summary>
    public const string Completed = "provisioning.completed.v1";

    /// <summary>A run failed and its compensation completed.</summary>
    public const string Rejected = "provisioning.rejected.v1";
}
