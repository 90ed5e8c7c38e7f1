using ScaiControl.Domain.Events;
using ScaiControl.Domain.Webhooks;

namespace ScaiControl.Domain.Payments;

/// <summary>
/// The documented "data" shapes of the payment topics (issue 16), written next to the code that produces them
/// (<see cref="InvoiceAccount"/> for invoice.*, the dunning runner for dunning.step.v1); docs/webhooks.md is
/// generated from <see cref="WebhookPayloads"/>, which includes these.
/// </summary>
public static class PaymentPayloads
{
    /// <summary>The five shapes.</summary>
    public static IReadOnlyList<PayloadShape> Shapes()
    {
        return
        [
            new(EventTopics.InvoiceIssued, "An invoice was finalised (issued): it is open with its amount due and due date (issue date + the payment terms).", Invoice("open")),
            new(EventTopics.InvoicePaid, "Nothing is due any more on an invoice (payments and credit notes cover its total); sent once.",
                [.. Invoice("paid"), new("paid_at", "date-time", "When the last payment was booked (UTC).", "2026-12-03T10:15:00Z", Nullable: true)]),
            new(EventTopics.InvoiceOverdue, "An invoice passed its due date with an amount still due (marked once by the overdue job).",
                [.. Invoice("overdue"), new("days_overdue", "integer", "Whole days between the due date and the day it was marked.", 1)]),
            new(EventTopics.InvoicePaymentFailed, "A charge of an invoice failed at the payment provider (off-session charge, hosted payment or retry).",
            [
                .. Invoice("open"),
                new("provider", "string", "The payment provider.", "stripe", Enum: PaymentProviders.Known),
                new("reference", "string", "The provider's payment id.", "pi_3QJ8Z0Q4M7P3X5V6"),
                new("decline_code", "string", "The provider's decline code.", "insufficient_funds"),
                new("decline", "string", "hard: not retried (card lost, mandate revoked); soft: retried on the dunning schedule.", "soft", Enum: ["hard", "soft"]),
                new("attempt", "integer", "Which attempt this was (1 = the first charge).", 1),
                new("next_retry_at", "date-time", "When the next retry is due (null: none).", "2026-12-02T09:30:00Z", Nullable: true),
            ]),
            new(EventTopics.DunningStep, "A step of a subscription's dunning for an unpaid invoice: past_due (the first failed charge), retry, reminder, suspended, final (cancelled or written off), settled.",
            [
                new("dunning_id", "string", "The dunning case (one per subscription and invoice).", "dun_01JD8Z0Q4M7P3X5V6W7Y8Z9A0Q"),
                new("subscription_id", "string", "The subscription being dunned.", "sub_01JD8Z0Q4M7P3X5V6W7Y8Z9A0F"),
                new("invoice_id", "string", "The unpaid invoice.", "inv_01JD8Z0Q4M7P3X5V6W7Y8Z9A0P"),
                new("invoice_number", "string", "Its number (BT-1).", "SCAI-2026-000042"),
                new("tenant_id", "string", "The tenant.", "tnt_01JD8Z0Q4M7P3X5V6W7Y8Z9A0C"),
                new("partner_id", "string", "The tenant's partner.", "ptr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0D"),
                new("step", "string", "What happened.", "reminder", Enum: DunningSteps.All),
                new("attempts", "integer", "Charge attempts so far.", 2),
                new("amount_due", "integer", "Still due on the invoice, minor units (cents).", 3509),
                new("currency", "string", "ISO 4217 code of amount_due.", "EUR"),
                new("days_since_first_failure", "integer", "Whole days since the first failed charge.", 3),
                new("next_step", "string", "The next step, if any.", "retry", Nullable: true, Enum: DunningSteps.All),
                new("next_step_at", "date-time", "When it is due (UTC).", "2026-12-06T09:30:00Z", Nullable: true),
                new("detail", "string", "The decline code, the final action, or the settling payment.", "insufficient_funds", Nullable: true),
            ]),
        ];
    }

    private static List<PayloadField> Invoice(string status) =>
    [
        new("invoice_id", "string", "The invoice.", "inv_01JD8Z0Q4M7P3X5V6W7Y8Z9A0P"),
        new("invoice_number", "string", "Its number (BT-1).", "SCAI-2026-000042"),
        new("tenant_id", "string", "The buyer tenant.", "tnt_01JD8Z0Q4M7P3X5V6W7Y8Z9A0C"),
        new("partner_id", "string", "The seller partner.", "ptr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0D"),
        new("payment_status", "string", "The invoice's payment state after the event.", status, Enum: PaymentWireNames.Statuses),
        new("currency", "string", "ISO 4217 code of the amounts (BT-5).", "EUR"),
        new("total", "integer", "Gross total (BT-112), minor units (cents).", 3509),
        new("amount_paid", "integer", "Payments received minus refunds, minor units.", status == "paid" ? 3509 : 0),
        new("amount_credited", "integer", "Total of the finalised credit notes against it, minor units.", 0),
        new("amount_due", "integer", "Still due (BT-115), minor units.", status == "paid" ? 0 : 3509),
        new("issue_date", "string", "Issue date (BT-2), YYYY-MM-DD.", "2026-12-01"),
        new("due_date", "string", "Due date (BT-9), YYYY-MM-DD.", "2026-12-15"),
    ];
}
