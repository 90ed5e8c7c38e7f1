using System.Diagnostics.Metrics;

namespace ScaiControl.Infrastructure.Observability;

/// <summary>
/// The business metrics of ScaiControl on one <see cref="Meter"/> ("scai"): exported at /metrics (Prometheus, via
/// prometheus-net's meter adapter, which prefixes the meter name: scai_invoices_finalised_total, …) and over OTLP when
/// OpenTelemetry:OtlpEndpoint is set. Base units, _total for counters. Static so any layer can record without wiring.
/// </summary>
public static class ScaiMetrics
{
    /// <summary>The meter's name (for OpenTelemetry's AddMeter).</summary>
    public const string MeterName = "scai";

    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Invoices and credit notes finalised (a gap-free number taken and committed). Tag: document_type.</summary>
    public static readonly Counter<long> InvoicesFinalised = Meter.CreateCounter<long>("invoices_finalised_total", description: "Invoices and credit notes finalised");

    /// <summary>
    /// Retries of a numbering unit of work after a conflict (Galera certification failure, error 1213, or a
    /// serialization failure): incremented by the numbering code once per retry. Tag: provider.
    /// </summary>
    public static readonly Counter<long> NumberingRetries = Meter.CreateCounter<long>("numbering_retries_total", description: "Retries of gap-free numbering after a write conflict");

    /// <summary>Webhook delivery attempts by outcome (success | failure | gone | skipped).</summary>
    public static readonly Counter<long> WebhookDeliveries = Meter.CreateCounter<long>("webhook_deliveries_total", description: "Webhook delivery attempts by outcome");

    /// <summary>Seconds from an event's occurrence to its successful delivery.</summary>
    public static readonly Histogram<double> WebhookDispatchLag = Meter.CreateHistogram<double>("webhook_dispatch_lag_seconds", unit: "s", description: "Seconds from event to successful webhook delivery");

    /// <summary>Seconds a billing run took from claim to completion. Tag: status (completed | failed).</summary>
    public static readonly Histogram<double> BillingRunDuration = Meter.CreateHistogram<double>("billing_run_duration_seconds", unit: "s", description: "Billing run duration");

    /// <summary>Scheduled job executions on this node. Tags: job, node, outcome (succeeded | failed).</summary>
    public static readonly Counter<long> JobRuns = Meter.CreateCounter<long>("job_runs_total", description: "Scheduled job runs per node");

    /// <summary>This process's node name in metrics and logs: Node:Id (<see cref="NodeIdentity"/>), set at start-up.</summary>
    public static string NodeName { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}
