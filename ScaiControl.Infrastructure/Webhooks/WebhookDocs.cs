using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Webhooks;

namespace ScaiControl.Infrastructure.Webhooks;

/// <summary>
/// Generates docs/webhooks.md from the code: the topics (<see cref="EventTopics"/>), each topic's JSON schema and
/// example (<see cref="WebhookPayloads"/>), the envelope (<see cref="WebhookDispatcher.BodyOf(string, string, DateTimeOffset, string, string?, string)"/>),
/// the headers and signatures (<see cref="StandardWebhooks"/>), the retry schedule (<see cref="RetrySchedule"/>) and
/// the defaults of <see cref="WebhookOptions"/>. `admin docs webhooks` prints it; a test fails when the page differs.
/// </summary>
public static class WebhookDocs
{
    /// <summary>The example secret (the Standard Webhooks specification's test vector secret), never a real one.</summary>
    public const string ExampleSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static readonly DateTimeOffset ExampleTime = new(2026, 11, 15, 9, 30, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The Markdown of docs/webhooks.md ("\n" line endings).</summary>
    public static string ToMarkdown()
    {
        var defaults = new WebhookOptions();
        var sb = new StringBuilder();
        void Line(string text = "") => sb.Append(text).Append('\n');

        Line("# Outbound webhooks");
        Line();
        Line("<!-- Generated from the code by `scaicontrol admin docs webhooks` (WebhookDocs.ToMarkdown); do not edit by hand. A test fails when this page is out of step. -->");
        Line();
        Line("ScaiControl POSTs lifecycle events to the HTTPS endpoints of webhook subscribers. Every event is written to the");
        Line("outbox in the same transaction as the business change; a dispatcher fans it out to one delivery per matching");
        Line("enabled subscriber and POSTs it, signed per [Standard Webhooks](https://www.standardwebhooks.com/). Delivery is");
        Line("**at least once**: de-duplicate on `webhook-id` (equal to the envelope's `id`), which stays the same across retries");
        Line("and replays.");
        Line();
        Line("Subscribers belong to a partner and receive that partner's events; subscribers of the operator partner receive");
        Line("every partner's events. Their topic filter lists exact topics, family wildcards such as `subscription.*`, or `*`.");
        Line();

        Line("## Topics");
        Line();
        Line("| topic | when |");
        Line("|---|---|");
        foreach (var shape in WebhookPayloads.All)
        {
            Line($"| [`{shape.Topic}`](#{Anchor(shape.Topic)}) | {shape.Summary} |");
        }

        Line();
        Line($"A test event sent from the admin (\"send test event\") has the type `{WebhookPayloads.TestTopic}`; it is never fanned out.");
        Line();

        Line("## Envelope");
        Line();
        Line("| field | type | meaning |");
        Line("|---|---|---|");
        Line("| `id` | string | The event's idempotency key; equals the `webhook-id` header. |");
        Line("| `type` | string | The topic. |");
        Line("| `timestamp` | string (RFC 3339, UTC, milliseconds) | When the event happened. |");
        Line("| `partner_id` | string | The partner the event belongs to. |");
        Line("| `tenant_id` | string or null | The tenant, or null for partner-level events (`partner.*`). |");
        Line("| `data` | object | The topic's payload, below. |");
        Line();

        Line("## Headers and signature");
        Line();
        Line("| header | value |");
        Line("|---|---|");
        Line("| `webhook-id` | The envelope's `id` (unique per event; the same on every retry and replay). |");
        Line("| `webhook-timestamp` | Unix seconds when this attempt was signed. |");
        Line("| `webhook-signature` | `v1,` + base64 of HMAC-SHA256(key, `{webhook-id}.{webhook-timestamp}.{body}`); several are separated by spaces. |");
        Line("| `content-type` | `application/json; charset=utf-8` |");
        Line($"| `user-agent` | `{WebhookDispatcher.UserAgent}` |");
        Line();
        Line("The secret is shown once, when the subscriber is created or its secret rotated, as `whsec_` + base64 of the key;");
        Line("the HMAC key is the base64-decoded part after `whsec_`. Verify with any Standard Webhooks library, or by hand:");
        Line("recompute the HMAC over the raw body, compare in constant time with each `v1,` signature, and reject timestamps");
        Line($"more than {StandardWebhooks.Tolerance.TotalMinutes:0} minutes away from your clock.");
        Line();
        var body = ExampleBody(WebhookPayloads.All.First(s => s.Topic == EventTopics.SubscriptionActivated));
        var headers = StandardWebhooks.Headers([ExampleSecret], ExampleId(EventTopics.SubscriptionActivated), ExampleTime, body);
        Line($"Example with the secret `{ExampleSecret}` and the `{EventTopics.SubscriptionActivated}` example body below:");
        Line();
        Line("```http");
        Line("POST /your/endpoint HTTP/1.1");
        foreach (var (name, value) in headers)
        {
            Line($"{name}: {value}");
        }

        Line("content-type: application/json; charset=utf-8");
        Line();
        Line(body);
        Line("```");
        Line();
        Line("**Secret rotation.** `POST /api/v1/admin/webhook-subscriptions/{id}/rotate-secret` returns a new secret once. For");
        Line($"{defaults.RotationOverlap.TotalHours:0} hours (setting `Webhooks:RotationOverlap`) every delivery carries two signatures, the new secret's first,");
        Line("so a consumer verifying with either secret accepts it; switch your secret within that window.");
        Line();

        Line("## Responses, retries and disabling");
        Line();
        Line("| your answer | what happens |");
        Line("|---|---|");
        Line("| 2xx | Delivered. |");
        Line("| 410 Gone | The delivery fails and the subscriber is disabled; the operator sees a notice in the admin portal. |");
        Line($"| 429 or 503 with `Retry-After` (seconds or HTTP date) | Retried after the longer of `Retry-After` and the schedule's wait (at most {RetrySchedule.Delays[^1].TotalHours:0} h). |");
        Line($"| anything else, a timeout ({defaults.Timeout.TotalSeconds:0} s), or no connection | Retried per the schedule. |");
        Line();
        Line("| after failed attempt | next attempt in |");
        Line("|---|---|");
        for (var i = 0; i < RetrySchedule.Delays.Count; i++)
        {
            Line($"| {i + 1} | {Span(RetrySchedule.Delays[i])} |");
        }

        Line($"| {RetrySchedule.MaxAttempts} | none: the delivery is marked failed (exhausted) |");
        Line();
        Line($"A subscriber whose deliveries have all failed for {defaults.DisableAfterFailingFor.TotalDays:0} days straight (no success in between) is disabled");
        Line("automatically and the operator is told in the admin portal until it is re-enabled");
        Line("(`POST /api/v1/admin/webhook-subscriptions/{id}/enable`). The response body's first 2000 characters, the request");
        Line("headers, the status and the duration of every attempt are kept in the delivery log.");
        Line();
        Line("Endpoints must be `https://` URLs without credentials. With SSRF protection (on by default outside Development),");
        Line("URLs resolving to loopback, link-local, private (RFC 1918), CGNAT, unique-local or multicast addresses are refused,");
        Line("when saved and again before each delivery.");
        Line();

        Line("## Replay");
        Line();
        Line("Succeeded or failed deliveries can be sent again; each becomes pending and due now, with a fresh retry schedule,");
        Line("the same `webhook-id`, and its earlier attempts kept in the log.");
        Line();
        Line("- One delivery: `POST /api/v1/admin/webhook-deliveries/{id}/replay`, or \"Replay\" in the delivery log.");
        Line("- Many: `POST /api/v1/admin/webhook-subscriptions/{id}/replay` with `{\"since\": \"2026-11-30T00:00:00Z\", \"topic\": \"subscription.*\", \"status\": \"failed\"}` (every field optional;");
        Line("  `status` is `failed` or `succeeded`, default both), or");
        Line("  `scaicontrol admin webhooks replay --subscription whs_... [--since RFC3339] [--topic T] [--status failed]`.");
        Line();
        Line("A disabled subscriber must be re-enabled before a replay (409 otherwise). Partner admins manage only their own");
        Line("partner's subscribers; another partner's subscriber or delivery answers 404 and nothing changes.");
        Line();

        Line("## Payloads");
        foreach (var shape in WebhookPayloads.All)
        {
            Line();
            Line($"### {shape.Topic}");
            Line();
            Line(shape.Summary + (shape.Emitted ? string.Empty : " Subscribing to it is allowed; nothing is sent."));
            Line();
            Line("| field | type | required | meaning |");
            Line("|---|---|---|---|");
            foreach (var f in shape.Fields)
            {
                var type = f.Type + (f.Nullable ? " or null" : string.Empty) + (f.Enum is { } e ? ": " + string.Join(", ", e.Select(v => $"`{v}`")) : string.Empty);
                Line($"| `{f.Name}` | {type} | {(f.Required ? "yes" : "no")} | {f.Description} |");
            }

            Line();
            Line("<details><summary>JSON schema of <code>data</code></summary>");
            Line();
            Line("```json");
            Line(WebhookPayloads.Schema(shape).ToJsonString(Indented));
            Line("```");
            Line();
            Line("</details>");
            Line();
            Line("Example body:");
            Line();
            Line("```json");
            Line(JsonNode.Parse(ExampleBody(shape))!.ToJsonString(Indented));
            Line("```");
        }

        return sb.ToString();
    }

    /// <summary>The example envelope of a topic, built by the dispatcher's own envelope code.</summary>
    private static string ExampleBody(PayloadShape shape)
    {
        var data = WebhookPayloads.Example(shape);
        var partner = data["partner_id"]?.GetValue<string>() ?? "ptr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0D";
        var tenant = shape.Topic.StartsWith("partner.", StringComparison.Ordinal) ? null : data["tenant_id"]?.GetValue<string>();
        return WebhookDispatcher.BodyOf(ExampleId(shape.Topic), shape.Topic, ExampleTime, partner, tenant, data.ToJsonString());
    }

    private static string ExampleId(string topic) => "evt_01JD8Z0Q4M7P3X5V6W7Y8Z" + (EventTopics.All.ToList().IndexOf(topic) + 10).ToString("D2", CultureInfo.InvariantCulture) + "AB";

    private static string Anchor(string topic) => new(topic.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-').ToArray());

    private static string Span(TimeSpan t) => t.TotalHours >= 1 ? $"{t.TotalHours:0} h" : $"{t.TotalMinutes:0} min";
}
