using System.Net.Http.Json;
using System.Text.Json.Serialization;
using MailKit.Security;
using MimeKit;
using ScaiControl.Domain.Mail;

namespace ScaiControl.Infrastructure.Mail;

/// <summary>Mail settings (section "Mail", docs/email.md).</summary>
public sealed class MailOptions
{
    /// <summary>"file" (the embedded default: .eml files under &lt;DataDirectory&gt;/mail), "smtp" or "scaisend".</summary>
    public string Transport { get; set; } = "file";

    /// <summary>The sender address of every mail (the partner's legal name is its display name, the partner's billing e-mail its Reply-To).</summary>
    public string FromAddress { get; set; } = "no-reply@scaicontrol.local";

    /// <summary>Per partner id, a sender address of its own (a domain it verified at ScaiSend).</summary>
    public Dictionary<string, string> PartnerFromAddresses { get; set; } = [];

    /// <summary>The portal's public base URL for links in mails.</summary>
    public string PortalUrl { get; set; } = "http://localhost:5000";

    /// <summary>Run the mail job on its schedule (tests switch it off and call the passes themselves).</summary>
    public bool JobEnabled { get; set; } = true;

    /// <summary>How often the mail job runs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages claimed per pass.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>Events older than this when first seen send no mail (a first start on an old database mails no history).</summary>
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long an invoice mail waits for the invoice PDF before it is sent with a link instead.</summary>
    public TimeSpan PdfWait { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A PDF larger than this is linked, not attached (bytes; 5 MB).</summary>
    public long MaxAttachmentBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>The file sink's directory (default &lt;DataDirectory&gt;/mail).</summary>
    public string? Directory { get; set; }

    /// <summary>SMTP settings.</summary>
    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>ScaiSend settings.</summary>
    public ScaiSendOptions ScaiSend { get; set; } = new();
}

/// <summary>SMTP transport settings (MailKit).</summary>
public sealed class SmtpOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 25;

    /// <summary>"none", "starttls" or "tls" (implicit TLS, port 465).</summary>
    public string Security { get; set; } = "starttls";
    public string? UserName { get; set; }

    /// <summary>Vault path of the SMTP password (docs/secrets.md).</summary>
    public string? PasswordPath { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>ScaiSend transport settings (docs/email.md has the contract).</summary>
public sealed class ScaiSendOptions
{
    public string BaseUrl { get; set; } = "https://send.scailabs.example";

    /// <summary>Vault path of the API key (sent as Bearer).</summary>
    public string? ApiKeyPath { get; set; }

    /// <summary>Vault path of the callback signing secret ("whsec_...", Standard Webhooks).</summary>
    public string? CallbackSecretPath { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>A message ready for a transport: the row, the recipients left after suppression and the attachment bytes.</summary>
public sealed record OutgoingMail(MailMessage Message, IReadOnlyList<string> To, IReadOnlyList<(MailAttachment Meta, byte[] Content)> Attachments);

/// <summary>A transport refused or failed a message; <see cref="Permanent"/>: retrying cannot help (the message fails at once).</summary>
public sealed class MailTransportException(string message, bool permanent = false, Exception? inner = null) : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
}

/// <summary>One way of handing a message off.</summary>
public interface IMailTransport
{
    /// <summary>"file", "smtp" or "scaisend".</summary>
    string Name { get; }

    /// <summary>Hands the message off; returns the transport's id for it.</summary>
    /// <exception cref="MailTransportException">Refused or unreachable.</exception>
    Task<string?> SendAsync(OutgoingMail mail, CancellationToken ct);
}

/// <summary>Builds the MIME form (RFC 5322 / 2045) of a message: multipart/alternative text + HTML, then the attachments.</summary>
public static class MimeBuilder
{
    /// <summary>The MimeMessage of <paramref name="mail"/>; Message-ID &lt;id@scaicontrol&gt;, the idempotency key in X-ScaiControl-Idempotency-Key.</summary>
    public static MimeMessage Build(OutgoingMail mail)
    {
        var m = mail.Message;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(m.FromName ?? string.Empty, m.FromAddress));
        foreach (var to in mail.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        if (m.ReplyTo is not null)
        {
            message.ReplyTo.Add(MailboxAddress.Parse(m.ReplyTo));
        }

        message.Subject = m.Subject;
        message.MessageId = $"{m.Id}@scaicontrol";
        message.Date = m.CreatedAt;
        message.Headers.Add("X-ScaiControl-Idempotency-Key", m.IdempotencyKey);
        message.Headers.Add("X-ScaiControl-Tags", m.Tags);
        var body = new BodyBuilder { HtmlBody = m.Html, TextBody = m.Text };
        foreach (var (meta, content) in mail.Attachments)
        {
            body.Attachments.Add(meta.FileName, content, ContentType.Parse(meta.ContentType));
        }

        message.Body = body.ToMessageBody();
        return message;
    }
}

/// <summary>The embedded default: writes each message as &lt;directory&gt;/&lt;message id&gt;.eml (atomically: a temp file, then a rename).</summary>
public sealed class FileSinkTransport(string directory) : IMailTransport
{
    /// <inheritdoc/>
    public string Name => "file";

    /// <summary>Where the files go.</summary>
    public string Directory { get; } = directory;

    /// <inheritdoc/>
    public async Task<string?> SendAsync(OutgoingMail mail, CancellationToken ct)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var path = Path.Combine(Directory, mail.Message.Id + ".eml");
            var temp = path + ".tmp";
            await MimeBuilder.Build(mail).WriteToAsync(temp, ct);
            File.Move(temp, path, overwrite: true);
            return Path.GetFileName(path);
        }
        catch (IOException e)
        {
            throw new MailTransportException($"Could not write the .eml file: {e.Message}", inner: e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new MailTransportException($"Could not write the .eml file: {e.Message}", inner: e);
        }
    }
}

/// <summary>SMTP through MailKit; the password is read from the vault path <see cref="SmtpOptions.PasswordPath"/>.</summary>
public sealed class SmtpTransport(SmtpOptions options, Secrets.ISecretStore secrets) : IMailTransport
{
    /// <inheritdoc/>
    public string Name => "smtp";

    /// <inheritdoc/>
    public async Task<string?> SendAsync(OutgoingMail mail, CancellationToken ct)
    {
        using var client = new MailKit.Net.Smtp.SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        var security = options.Security.ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "tls" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        try
        {
            await client.ConnectAsync(options.Host, options.Port, security, ct);
            if (!string.IsNullOrEmpty(options.UserName))
            {
                var password = options.PasswordPath is { Length: > 0 } path ? await secrets.ReadAsync(path, ct) : string.Empty;
                await client.AuthenticateAsync(options.UserName, password, ct);
            }

            var answer = await client.SendAsync(MimeBuilder.Build(mail), ct);
            await client.DisconnectAsync(true, ct);
            return answer is { Length: > 300 } ? answer[..300] : answer;
        }
        catch (MailKit.Net.Smtp.SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            throw new MailTransportException($"SMTP {(int)e.StatusCode}: {e.Message}", permanent: true, e);
        }
        catch (Exception e) when (e is MailKit.Net.Smtp.SmtpCommandException or MailKit.Net.Smtp.SmtpProtocolException or MailKit.ServiceNotConnectedException
                                       or AuthenticationException or IOException or System.Net.Sockets.SocketException or TimeoutException
                                       or KeyNotFoundException or Secrets.SecretStoreUnavailableException)
        {
            throw new MailTransportException($"SMTP {options.Host}:{options.Port}: {e.Message}", inner: e);
        }
    }
}

/// <summary>
/// ScaiSend over HTTP (typed HttpClient; the contract is docs/email.md): POST {BaseUrl}/v1/messages with the API key
/// from the vault as Bearer and the message's idempotency key as Idempotency-Key; 2xx {"id"} accepted; 408, 429 and
/// 5xx retried; other 4xx fail the message at once.
/// </summary>
public sealed class ScaiSendTransport(HttpClient http, ScaiSendOptions options, Secrets.ISecretStore secrets) : IMailTransport
{
    /// <inheritdoc/>
    public string Name => "scaisend";

    /// <inheritdoc/>
    public async Task<string?> SendAsync(OutgoingMail mail, CancellationToken ct)
    {
        var m = mail.Message;
        string key;
        try
        {
            key = options.ApiKeyPath is { Length: > 0 } path ? await secrets.ReadAsync(path, ct) : throw new MailTransportException("Mail:ScaiSend:ApiKeyPath is not set.");
        }
        catch (Exception e) when (e is KeyNotFoundException or Secrets.SecretStoreUnavailableException)
        {
            throw new MailTransportException($"ScaiSend API key unavailable: {e.Message}", inner: e);
        }

        var body = new ScaiSendMessage(new ScaiSendAddress(m.FromAddress, m.FromName), mail.To, m.ReplyTo, m.Subject, m.Html, m.Text,
            mail.Attachments.Select(a => new ScaiSendAttachment(a.Meta.FileName, a.Meta.ContentType, Convert.ToBase64String(a.Content))).ToList(),
            m.Tags.Split(',', StringSplitOptions.RemoveEmptyEntries), new Dictionary<string, string> { ["message_id"] = m.Id });
        using var request = new HttpRequestMessage(HttpMethod.Post, options.BaseUrl.TrimEnd('/') + "/v1/messages") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("Idempotency-Key", m.IdempotencyKey);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var accepted = await response.Content.ReadFromJsonAsync<ScaiSendAccepted>(timeout.Token);
                return accepted?.Id;
            }

            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            text = text.Length > 300 ? text[..300] : text;
            throw new MailTransportException($"ScaiSend answered {code}: {text}", permanent: code is >= 400 and < 500 and not 408 and not 429);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new MailTransportException($"ScaiSend timed out after {options.Timeout.TotalSeconds:0} s.", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new MailTransportException($"ScaiSend unreachable: {e.Message}", inner: e);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new MailTransportException($"ScaiSend answered with a body that is not JSON: {e.Message}", inner: e);
        }
    }

    private sealed record ScaiSendAddress([property: JsonPropertyName("address")] string Address, [property: JsonPropertyName("name")] string? Name);

    private sealed record ScaiSendAttachment([property: JsonPropertyName("file_name")] string FileName, [property: JsonPropertyName("content_type")] string ContentType,
        [property: JsonPropertyName("content_base64")] string ContentBase64);

    private sealed record ScaiSendMessage(
        [property: JsonPropertyName("from")] ScaiSendAddress From,
        [property: JsonPropertyName("to")] IReadOnlyList<string> To,
        [property: JsonPropertyName("reply_to")] string? ReplyTo,
        [property: JsonPropertyName("subject")] string Subject,
        [property: JsonPropertyName("html")] string Html,
        [property: JsonPropertyName("text")] string Text,
        [property: JsonPropertyName("attachments")] IReadOnlyList<ScaiSendAttachment> Attachments,
        [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
        [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string> Metadata);

    private sealed record ScaiSendAccepted([property: JsonPropertyName("id")] string? Id);
}
