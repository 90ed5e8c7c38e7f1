using System.Text.Json.Nodes;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Domain.Webhooks;

/// <summary>One field of an event's "data" object.</summary>
/// <param name="Name">The snake_case key.</param>
/// <param name="Type">The JSON type: "string", "integer", "boolean", "array", "date-time" (an RFC 3339 string).</param>
/// <param name="Description">What it holds.</param>
/// <param name="Example">The value used in the documented example.</param>
/// <param name="Required">False when only some producers of the topic send it.</param>
/// <param name="Nullable">True when the value may be null.</param>
/// <param name="Enum">The allowed values of a string, when closed.</param>
public sealed record PayloadField(string Name, string Type, string Description, JsonNode? Example, bool Required = true, bool Nullable = false, IReadOnlyList<string>? Enum = null);

/// <summary>The documented "data" shape of one topic.</summary>
/// <param name="Topic">The topic from <see cref="EventTopics"/>.</param>
/// <param name="Summary">When the event is emitted.</param>
/// <param name="Fields">The fields of "data".</param>
/// <param name="Emitted">False for a topic that is reserved (listed, never emitted yet).</param>
public sealed record PayloadShape(string Topic, string Summary, IReadOnlyList<PayloadField> Fields, bool Emitted = true);

/// <summary>
/// The registry of webhook payload shapes: for each of the 14 topics the fields its "data" object carries, written
/// once next to the code that produces them (<see cref="Subscription"/>'s transitions, <see cref="TenantBillingProfile"/>,
/// <see cref="PartnerConfiguration"/>). Enumerations (status, action, VAT id status) are read from the domain's own
/// enums and transition table. docs/webhooks.md is generated from it, and tests check that every payload the code
/// produces conforms (<see cref="Check"/>), so the page cannot drift from the code.
/// </summary>
public static class WebhookPayloads
{
    /// <summary>The envelope topic of a test event sent from the admin ("send test event"); never fanned out.</summary>
    public const string TestTopic = "webhook.test.v1";

    private static readonly string[] Statuses = Enum.GetValues<SubscriptionStatus>().Select(s => s.WireName()).ToArray();

    /// <summary>Every topic's shape, in <see cref="EventTopics.All"/> order.</summary>
    public static IReadOnlyList<PayloadShape> All { get; } = Build();

    /// <summary>The shape of <paramref name="topic"/>.</summary>
    /// <exception cref="KeyNotFoundException">Not one of the 14 topics.</exception>
    public static PayloadShape For(string topic) => All.FirstOrDefault(s => s.Topic == topic) ?? throw new KeyNotFoundException($"No payload shape for '{topic}'.");

    /// <summary>The example "data" object of a shape (the fields' examples, in order).</summary>
    public static JsonObject Example(PayloadShape shape)
    {
        var o = new JsonObject();
        foreach (var f in shape.Fields)
        {
            o[f.Name] = f.Example?.DeepClone();
        }

        return o;
    }

    /// <summary>A JSON Schema (draft 2020-12) of a shape's "data" object; unknown keys are not allowed.</summary>
    public static JsonObject Schema(PayloadShape shape)
    {
        var properties = new JsonObject();
        foreach (var f in shape.Fields)
        {
            var p = new JsonObject();
            var type = f.Type == "date-time" ? "string" : f.Type;
            p["type"] = f.Nullable ? new JsonArray(type, "null") : type;
            if (f.Type == "date-time")
            {
                p["format"] = "date-time";
            }

            if (f.Type == "array" && f.Example is JsonArray { Count: > 0 } sample)
            {
                p["items"] = new JsonObject { ["type"] = sample[0]!.GetValueKind() == System.Text.Json.JsonValueKind.Object ? "object" : "string" };
            }

            if (f.Enum is { } values)
            {
                p["enum"] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
            }

            p["description"] = f.Description;
            properties[f.Name] = p;
        }

        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = shape.Topic,
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray(shape.Fields.Where(f => f.Required).Select(f => (JsonNode?)JsonValue.Create(f.Name)).ToArray()),
            ["additionalProperties"] = false,
        };
    }

    /// <summary>
    /// The ways <paramref name="data"/> (an event's payload) departs from the shape of <paramref name="topic"/>: a
    /// missing required key, an undocumented key, a value of the wrong JSON type or outside the enum. Empty when it conforms.
    /// </summary>
    public static IReadOnlyList<string> Check(string topic, JsonObject data)
    {
        var problems = new List<string>();
        var shape = All.FirstOrDefault(s => s.Topic == topic);
        if (shape is null)
        {
            return [$"'{topic}' is not a documented topic"];
        }

        foreach (var f in shape.Fields.Where(f => f.Required && !data.ContainsKey(f.Name)))
        {
            problems.Add($"{topic}: required '{f.Name}' is missing");
        }

        foreach (var (key, value) in data)
        {
            var f = shape.Fields.FirstOrDefault(x => x.Name == key);
            if (f is null)
            {
                problems.Add($"{topic}: '{key}' is not documented");
                continue;
            }

            if (value is null)
            {
                if (!f.Nullable)
                {
                    problems.Add($"{topic}: '{key}' is null but not nullable");
                }

                continue;
            }

            var kind = value.GetValueKind();
            var ok = f.Type switch
            {
                "string" => kind == System.Text.Json.JsonValueKind.String,
                "date-time" => kind == System.Text.Json.JsonValueKind.String && DateTimeOffset.TryParse(value.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out _),
                "integer" => kind == System.Text.Json.JsonValueKind.Number,
                "boolean" => kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
                "array" => kind == System.Text.Json.JsonValueKind.Array,
                _ => false,
            };
            if (!ok)
            {
                problems.Add($"{topic}: '{key}' is {kind}, documented as {f.Type}");
            }
            else if (f.Enum is { } values && kind == System.Text.Json.JsonValueKind.String && !values.Contains(value.GetValue<string>()))
            {
                problems.Add($"{topic}: '{key}' = '{value.GetValue<string>()}' is not one of {string.Join(", ", values)}");
            }
        }

        return problems;
    }

    private static List<PayloadShape> Build()
    {
        var shapes = new List<PayloadShape>
        {
            new(EventTopics.TenantBillingLinked, "A tenant's billing profile (the buyer of its invoices) was created.", TenantFields()),
            new(EventTopics.TenantBillingUpdated, "A tenant's billing profile changed (fields, or the VIES check of its VAT id).", TenantFields()),
            new(EventTopics.PartnerBillingLinked, "A partner's seller configuration was created.", PartnerFields()),
            new(EventTopics.PartnerBillingUpdated, "A partner's seller configuration changed.", PartnerFields()),
        };

        foreach (var topic in new[]
                 {
                     EventTopics.SubscriptionActivated, EventTopics.SubscriptionChanged, EventTopics.SubscriptionCancelled, EventTopics.SubscriptionSuspended,
                     EventTopics.SubscriptionResumed, EventTopics.SubscriptionPaymentFailed,
                 })
        {
            var transitions = SubscriptionStateMachine.Transitions.Where(t => t.Topic == topic).ToList();
            var summary = string.Join(" ", transitions.Select(t => $"`{t.Action.WireName()}`: {t.Description}"));
            var extras = new List<PayloadField>();
            if (topic == EventTopics.SubscriptionActivated)
            {
                extras.Add(new("trial_end", "date-time", "When the trial ends (only when a trial starts).", "2026-11-29T09:30:00Z", Required: false, Nullable: true));
            }

            if (topic == EventTopics.SubscriptionChanged)
            {
                extras.Add(new("cancel_at", "date-time", "When a scheduled cancellation takes effect (schedule_cancellation only).", "2026-12-15T09:30:00Z", Required: false));
                extras.Add(new("trial_end", "date-time", "The trial end (expire at the end of a trial only).", "2026-11-29T09:30:00Z", Required: false, Nullable: true));
                extras.Add(new("term_end", "date-time", "The end of the fixed term (expire at the end of a term only).", "2027-11-15T09:30:00Z", Required: false, Nullable: true));
                extras.Add(new("old_plan_id", "string", "change_plan: the plan before the change.", "pln_01JD8Z0Q4M7P3X5V6W7Y8Z9A0H", Required: false));
                extras.Add(new("old_plan_code", "string", "change_plan: its code.", "basic", Required: false));
                extras.Add(new("new_plan_id", "string", "change_plan: the plan after the change (plan_id is the plan in force when the event was written).", "pln_01JD8Z0Q4M7P3X5V6W7Y8Z9A0J", Required: false));
                extras.Add(new("new_plan_code", "string", "change_plan: its code.", "pro", Required: false));
                extras.Add(new("effective", "string", "change_plan: when the change takes effect.", "now", Required: false, Enum: ["now", "period_end"]));
                extras.Add(new("effective_at", "date-time", "change_plan: the moment it takes (or took) effect (UTC).", "2026-11-30T10:00:00Z", Required: false));
                extras.Add(new("credit", "integer", "change_plan: the credit for the unused part of the old plan, minor units (cents), positive.", 1935, Required: false));
                extras.Add(new("charge", "integer", "change_plan: the charge for the new plan, minor units (cents).", 4837, Required: false));
                extras.Add(new("net", "integer", "change_plan: charge − credit, minor units (cents); negative is a credit on the next invoice.", 2902, Required: false));
                extras.Add(new("currency", "string", "change_plan: ISO 4217 code of the amounts.", "EUR", Required: false));
                extras.Add(new("proration_rule", "string", "change_plan: same_period (the period continues), new_period (interval change: a new period starts), trial (no proration).", "same_period", Required: false, Enum: ["same_period", "new_period", "trial"]));
                extras.Add(new("phase", "string", "change_plan: scheduled (for the period end) or applied.", "applied", Required: false, Enum: ["scheduled", "applied"]));
                extras.Add(new("pending_charge_ids", "array", "change_plan, applied: the ids of the charges and credits waiting for the next invoice.", new JsonArray("chg_01JD8Z0Q4M7P3X5V6W7Y8Z9A0K", "chg_01JD8Z0Q4M7P3X5V6W7Y8Z9A0M"), Required: false));
            }

            if (topic is EventTopics.SubscriptionChanged or EventTopics.SubscriptionCancelled or EventTopics.SubscriptionSuspended)
            {
                extras.Add(new("reason", "string", "The reason given, if any (cancellations and suspensions); trial_ended or term_ended when a subscription expires.", "Moving to another provider", Required: false, Nullable: true));
            }

            var example = transitions[0];
            shapes.Add(new(topic, summary, SubscriptionFields(transitions, example).Concat(extras).ToList()));
        }

        shapes.Add(new(EventTopics.SubscriptionTrialEnding, "A trial ends soon (sent once per subscription, ahead of the trial end).",
            [
                .. SubscriptionFields([], null, status: SubscriptionStatus.Trialing),
                new("trial_end", "date-time", "When the trial ends.", "2026-11-29T09:30:00Z"),
                new("days_left", "integer", "Whole days until the trial end, rounded up.", 3),
            ]));

        PayloadField[] Pack(string previous, string status, string action) =>
        [
            new("pack_subscription_id", "string", "The pack subscription.", "psb_01JD8Z0Q4M7P3X5V6W7Y8Z9A0B"),
            new("pack_id", "string", "The service pack.", "pck_01JD8Z0Q4M7P3X5V6W7Y8Z9A0E"),
            new("tenant_id", "string", "The subscribing tenant.", "tnt_01JD8Z0Q4M7P3X5V6W7Y8Z9A0C"),
            new("partner_id", "string", "The tenant's partner.", "ptr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0D"),
            new("previous_status", "string", "The pack subscription's status before the change.", previous, Enum: Statuses),
            new("status", "string", "The pack subscription's status after the change.", status, Enum: Statuses),
            new("action", "string", "The transition.", action, Enum: ["activate", "cancel"]),
            new("price", "integer", "The pack price per interval, minor units (cents), fixed at subscription time.", 7471),
            new("currency", "string", "ISO 4217 code of price.", "EUR"),
            new("interval", "string", "The billing interval.", "month", Enum: ["month", "year"]),
            new("current_period_start", "date-time", "Start of the current period (inclusive).", "2026-11-15T09:30:00Z"),
            new("current_period_end", "date-time", "End of the current period (exclusive).", "2026-12-15T09:30:00Z"),
            new("reason", "string", "The cancellation reason, if any.", null, Nullable: true),
            new("children", "array", "The member subscriptions, each {subscription_id, service_id, plan_id, status}; they emit no subscription.* events of their own for pack-driven transitions.",
                new JsonArray(new JsonObject { ["subscription_id"] = "sub_01JD8Z0Q4M7P3X5V6W7Y8Z9A0F", ["service_id"] = "svc_01JD8Z0Q4M7P3X5V6W7Y8Z9A0G", ["plan_id"] = "pln_01JD8Z0Q4M7P3X5V6W7Y8Z9A0H", ["status"] = status })),
        ];
        shapes.Add(new(EventTopics.PackSubscriptionActivated, "A tenant subscribed to a service pack: the pack and all its member subscriptions are active (one event for the pack, none per member).", Pack("pending", "active", "activate")));
        shapes.Add(new(EventTopics.PackSubscriptionChanged, "Reserved: listed in the changelog, never emitted in v1.", Pack("active", "active", "activate"), Emitted: false));
        shapes.Add(new(EventTopics.PackSubscriptionCancelled, "A pack subscription was cancelled, now or at its period end, with all its member subscriptions (one event for the pack, none per member).", Pack("active", "cancelled", "cancel")));

        shapes.AddRange(Payments.PaymentPayloads.Shapes());
        shapes.AddRange(Usage.UsagePayloads.Shapes());
        return EventTopics.All.Select(t => shapes.Single(s => s.Topic == t)).ToList();
    }

    private static List<PayloadField> SubscriptionFields(IReadOnlyList<SubscriptionTransition> transitions, SubscriptionTransition? example, SubscriptionStatus? status = null)
    {
        var actions = transitions.Select(t => t.Action.WireName()).Distinct().ToArray();
        var fields = new List<PayloadField>
        {
            new("subscription_id", "string", "The subscription.", "sub_01JD8Z0Q4M7P3X5V6W7Y8Z9A0F"),
            new("tenant_id", "string", "The subscribing tenant.", "tnt_01JD8Z0Q4M7P3X5V6W7Y8Z9A0C"),
            new("partner_id", "string", "The tenant's partner.", "ptr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0D"),
            new("service_id", "string", "The catalog service.", "svc_01JD8Z0Q4M7P3X5V6W7Y8Z9A0G"),
            new("plan_id", "string", "The plan.", "pln_01JD8Z0Q4M7P3X5V6W7Y8Z9A0H"),
        };
        if (example is not null)
        {
            fields.Add(new("previous_status", "string", "The status before the transition.", example.From[0].WireName(), Enum: Statuses));
            fields.Add(new("status", "string", "The status after the transition: " + string.Join(", ", transitions.Select(t => t.To.WireName()).Distinct()) + ".",
                example.To.WireName(), Enum: Statuses));
            fields.Add(new("action", "string", "The transition that happened.", example.Action.WireName(), Enum: actions));
        }
        else
        {
            fields.Add(new("status", "string", "The current status.", (status ?? SubscriptionStatus.Active).WireName(), Enum: Statuses));
        }

        fields.Add(new("current_period_start", "date-time", "Start of the current billing period (UTC).", "2026-11-15T09:30:00Z"));
        fields.Add(new("current_period_end", "date-time", "End of the current billing period (UTC, exclusive).", "2026-12-15T09:30:00Z"));
        return fields;
    }

    private static List<PayloadField> TenantFields() =>
    [
        new("tenant_id", "string", "The tenant.", "tnt_01JD8Z0Q4M7P3X5V6W7Y8Z9A0C"),
        new("partner_id", "string", "The tenant's partner.", "ptr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0D"),
        new("legal_name", "string", "The buyer's legal name (BT-44).", "Acme Hosting B.V."),
        new("country", "string", "ISO 3166-1 alpha-2 country of the buyer (BT-55).", "NL"),
        new("vat_id", "string", "The buyer's VAT identifier (BT-48), if any.", "NL123456789B01", Nullable: true),
        new("vat_id_status", "string", "The VIES check of vat_id.", "valid", Enum: Enum.GetValues<VatIdStatus>().Select(v => v.ToString().ToLowerInvariant()).ToArray()),
        new("email", "string", "Where invoices are sent.", "billing@acme.example"),
    ];

    private static List<PayloadField> PartnerFields() =>
    [
        new("partner_id", "string", "The partner.", "ptr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0D"),
        new("legal_name", "string", "The seller's legal name (BT-27).", "Nordic Cloud AB"),
        new("country", "string", "ISO 3166-1 alpha-2 country of the seller (BT-40).", "SE"),
        new("vat_id", "string", "The seller's VAT identifier (BT-31).", "SE556677889901"),
        new("invoice_prefix", "string", "Prefix of the partner's invoice number series.", "NORD"),
        new("oss_mode", "string", "How B2C VAT in other EU countries is handled.", "union_scheme", Enum: ["threshold", "union_scheme"]),
    ];
}
