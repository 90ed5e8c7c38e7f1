using ScaiControl.Domain.Common;
using ScaiControl.Domain.Webhooks;

namespace ScaiControl.Domain.Mail;

/// <summary>Where an outgoing mail is: pending (due at NextAttemptAt) → sent | failed (retries exhausted) | held (every recipient bounced or complained).</summary>
public enum MailStatus
{
    Pending,
    Sent,
    Failed,
    Held,
}

/// <summary>
/// An attachment of an outgoing mail by storage reference (the object store key; the bytes are read at delivery).
/// </summary>
/// <param name="FileName">The file name the recipient sees ("SCAI-2026-000042.pdf").</param>
/// <param name="ContentType">Its MIME type ("application/pdf").</param>
/// <param name="StorageKey">The object store key (<c>IObjectStorage</c>).</param>
/// <param name="SizeBytes">Its size in bytes.</param>
public sealed record MailAttachment(string FileName, string ContentType, string StorageKey, long SizeBytes);

/// <summary>
/// One outgoing e-mail of the mail outbox (docs/email.md; spec 000: "ScaiControl renders the template + envelope and
/// hands off to ScaiSend"): the rendered envelope and body, delivered at least once by the mail job with
/// <see cref="RetrySchedule"/>'s backoff. <see cref="IdempotencyKey"/> is unique ("&lt;event id&gt;:&lt;kind&gt;" for
/// event mails), so a second consumer of the same event adds nothing, and it travels to ScaiSend as its
/// Idempotency-Key.
/// </summary>
public sealed class MailMessage
{
    /// <summary>Longest stored rendered HTML part, in characters.</summary>
    public const int MaxHtml = 500_000;

    private MailMessage() { }

    /// <summary>A pending message due at <paramref name="now"/>.</summary>
    /// <exception cref="DomainValidationException">No recipient, a malformed address, an empty subject.</exception>
    public MailMessage(string partnerId, string? tenantId, string kind, string language, string fromAddress, string? fromName, IReadOnlyCollection<string> to,
        string? replyTo, string subject, string html, string text, IReadOnlyList<MailAttachment> attachments, IReadOnlyCollection<string> tags,
        string idempotencyKey, string? eventId, DateTimeOffset now)
    {
        Id = Ids.New("mail");
        PartnerId = partnerId;
        TenantId = tenantId;
        Kind = Guard.Slug(kind, "kind");
        Language = language;
        FromAddress = Guard.Email(fromAddress, "from");
        FromName = string.IsNullOrWhiteSpace(fromName) ? null : fromName.Trim()[..Math.Min(200, fromName.Trim().Length)];
        if (to.Count == 0)
        {
            throw new DomainValidationException("to", "A mail needs at least one recipient.");
        }

        To = string.Join(',', to.Select(a => Guard.Email(a, "to").ToLowerInvariant()).Distinct());
        ReplyTo = string.IsNullOrWhiteSpace(replyTo) ? null : Guard.Email(replyTo, "reply_to");
        Subject = Guard.Text(subject.ReplaceLineEndings(" "), "subject", 500);
        Html = html.Length > MaxHtml ? throw new DomainValidationException("html", $"The HTML part is longer than {MaxHtml} characters.") : html;
        Text = text;
        AttachmentsJson = System.Text.Json.JsonSerializer.Serialize(attachments);
        Tags = string.Join(',', tags);
        IdempotencyKey = Guard.Text(idempotencyKey, "idempotency_key", 200);
        EventId = eventId;
        Status = MailStatus.Pending;
        NextAttemptAt = now;
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;

    /// <summary>The seller partner the mail is sent for (its name is the sender's display name).</summary>
    public string PartnerId { get; private set; } = default!;

    /// <summary>The recipient tenant, when the mail is about one.</summary>
    public string? TenantId { get; private set; }

    /// <summary>The mail template's name ("trial-ending").</summary>
    public string Kind { get; private set; } = default!;

    /// <summary>The BCP 47 language it was rendered in.</summary>
    public string Language { get; private set; } = default!;
    public string FromAddress { get; private set; } = default!;
    public string? FromName { get; private set; }

    /// <summary>The recipients, lower case, comma-separated.</summary>
    public string To { get; private set; } = default!;
    public string? ReplyTo { get; private set; }
    public string Subject { get; private set; } = default!;
    public string Html { get; private set; } = default!;
    public string Text { get; private set; } = default!;

    /// <summary>The attachments (<see cref="MailAttachment"/>[]) as JSON.</summary>
    public string AttachmentsJson { get; private set; } = "[]";

    /// <summary>Tags for the transport (comma-separated: "kind:trial-ending", "partner:ptr_...").</summary>
    public string Tags { get; private set; } = string.Empty;
    public string IdempotencyKey { get; private set; } = default!;

    /// <summary>The outbox event the mail was made for, if any.</summary>
    public string? EventId { get; private set; }
    public MailStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset? NextAttemptAt { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset? LastAttemptAt { get; private set; }

    /// <summary>The id the transport gave the message (ScaiSend's message id, the SMTP queue answer, the .eml file name).</summary>
    public string? TransportMessageId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }

    /// <summary>The recipients as a list.</summary>
    public IReadOnlyList<string> Recipients => To.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The attachments.</summary>
    public IReadOnlyList<MailAttachment> Attachments => System.Text.Json.JsonSerializer.Deserialize<List<MailAttachment>>(AttachmentsJson) ?? [];

    /// <summary>The transport accepted the message.</summary>
    public void Delivered(string? transportMessageId, DateTimeOffset now)
    {
        Attempts++;
        Status = MailStatus.Sent;
        TransportMessageId = transportMessageId;
        LastError = null;
        LastAttemptAt = now;
        SentAt = now;
        NextAttemptAt = null;
    }

    /// <summary>
    /// An attempt failed: the next is scheduled per <see cref="RetrySchedule"/> (1 m, 5 m, 30 m, 2 h, 12 h, 24 h),
    /// failed after the 7th, or at once when <paramref name="permanent"/> (the transport refused the message itself).
    /// </summary>
    public void AttemptFailed(string error, DateTimeOffset now, bool permanent = false)
    {
        Attempts++;
        LastError = error.Length > 1000 ? error[..1000] : error;
        LastAttemptAt = now;
        NextAttemptAt = permanent ? null : RetrySchedule.NextAttempt(Attempts, now);
        Status = NextAttemptAt is null ? MailStatus.Failed : MailStatus.Pending;
    }

    /// <summary>Holds the message without sending: every recipient is suppressed (bounced or complained).</summary>
    public void Hold(string reason, DateTimeOffset now)
    {
        Status = MailStatus.Held;
        LastError = reason.Length > 1000 ? reason[..1000] : reason;
        LastAttemptAt = now;
        NextAttemptAt = null;
    }

    /// <summary>Sends the message again (operator resend): pending and due now, with a fresh retry schedule; the attempt log keeps the earlier attempts.</summary>
    /// <exception cref="DomainConflictException">It is still pending (it is sent at its next attempt anyway).</exception>
    public void Resend(DateTimeOffset now)
    {
        if (Status == MailStatus.Pending)
        {
            throw new DomainConflictException("The mail is still pending: it is sent at its next attempt; only sent, failed or held mails are resent.", "pending", []);
        }

        Status = MailStatus.Pending;
        Attempts = 0;
        NextAttemptAt = now;
    }
}

/// <summary>One delivery attempt of a <see cref="MailMessage"/> (for the Sent mail page): transport, outcome, duration.</summary>
public sealed class MailAttempt
{
    private MailAttempt() { }

    /// <summary>Records an attempt started at <paramref name="startedAt"/> (UTC), <paramref name="error"/> null when it was accepted.</summary>
    public MailAttempt(string messageId, int attemptNumber, string transport, DateTimeOffset startedAt, long durationMs, string? transportMessageId, string? error)
    {
        Id = Ids.New("mla");
        MessageId = messageId;
        AttemptNumber = attemptNumber;
        Transport = transport;
        StartedAt = startedAt;
        DurationMs = durationMs;
        TransportMessageId = transportMessageId;
        Error = error is { Length: > 1000 } ? error[..1000] : error;
    }

    public string Id { get; private set; } = default!;
    public string MessageId { get; private set; } = default!;
    public int AttemptNumber { get; private set; }

    /// <summary>"file", "smtp" or "scaisend".</summary>
    public string Transport { get; private set; } = default!;
    public DateTimeOffset StartedAt { get; private set; }
    public long DurationMs { get; private set; }
    public string? TransportMessageId { get; private set; }
    public string? Error { get; private set; }
}

/// <summary>
/// An address ScaiSend reported as bounced or complained (docs/email.md): later mails to it are not sent to it, and a
/// mail with no other recipient is held. Keyed by the lower-case address.
/// </summary>
public sealed class MailSuppression
{
    private MailSuppression() { }

    /// <summary>Marks <paramref name="address"/> for <paramref name="reason"/> ("bounce" | "complaint").</summary>
    /// <exception cref="DomainValidationException">A malformed address or an unknown reason.</exception>
    public MailSuppression(string address, string reason, string? detail, DateTimeOffset now)
    {
        Address = Guard.Email(address, "address").ToLowerInvariant();
        Reason = reason is "bounce" or "complaint" ? reason : throw new DomainValidationException("type", "type must be 'bounce' or 'complaint'.");
        Detail = detail is { Length: > 500 } ? detail[..500] : detail;
        CreatedAt = now;
        UpdatedAt = now;
    }

    public string Address { get; private set; } = default!;

    /// <summary>"bounce" or "complaint".</summary>
    public string Reason { get; private set; } = default!;
    public string? Detail { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Another report for the same address (the latest reason and detail are kept).</summary>
    public void Report(string reason, string? detail, DateTimeOffset now)
    {
        Reason = reason is "bounce" or "complaint" ? reason : throw new DomainValidationException("type", "type must be 'bounce' or 'complaint'.");
        Detail = detail is { Length: > 500 } ? detail[..500] : detail;
        UpdatedAt = now;
    }
}
