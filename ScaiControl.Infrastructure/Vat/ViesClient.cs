using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;

namespace ScaiControl.Infrastructure.Vat;

/// <summary>Checks a VAT id with the tax authorities (VIES for EU ids).</summary>
public interface IVatIdValidator
{
    /// <summary>
    /// Consults VIES for <paramref name="vatId"/> (normalised, with its country prefix, e.g. "DE811907980"), naming the
    /// requester <paramref name="requesterVatId"/> so VIES returns a consultation number. Never throws for an outage:
    /// it answers <see cref="VatIdStatus.Unavailable"/> with the reason.
    /// </summary>
    Task<VatIdCheck> CheckAsync(string vatId, string? requesterVatId, CancellationToken ct = default);
}

/// <summary>Vies:Enabled (default true), Vies:BaseUrl (the European Commission's VIES REST API), Vies:TimeoutSeconds.</summary>
public sealed class ViesOptions
{
    public bool Enabled { get; set; } = true;
    public string BaseUrl { get; set; } = "https://ec.europa.eu/taxation_customs/vies/rest-api";
    public int TimeoutSeconds { get; set; } = 10;
}

/// <summary>
/// The VIES REST API ("check-vat-number", POST {countryCode, vatNumber, requesterMemberStateCode, requesterNumber});
/// the answer's "valid", "requestIdentifier" (the consultation number) and "name" become the evidence. Greek ids use
/// the VIES prefix EL.
/// </summary>
public sealed class ViesRestClient(IHttpClientFactory httpClients, ViesOptions options, TimeProvider clock, ILogger<ViesRestClient> logger) : IVatIdValidator
{
    /// <inheritdoc/>
    public async Task<VatIdCheck> CheckAsync(string vatId, string? requesterVatId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (!options.Enabled)
        {
            return new VatIdCheck(VatIdStatus.Unchecked, now, null, null, "The VIES check is switched off (Vies:Enabled=false).");
        }

        var country = vatId[..2];
        if (!Countries.IsEu(country == "EL" ? "GR" : country))
        {
            return new VatIdCheck(VatIdStatus.Unchecked, now, null, null, "VIES covers EU VAT ids only.");
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
            using var http = httpClients.CreateClient("vies");
            using var response = await http.PostAsJsonAsync($"{options.BaseUrl.TrimEnd('/')}/check-vat-number", new ViesRequest(
                country, vatId[2..], requesterVatId?[..2], requesterVatId?[2..]), timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new VatIdCheck(VatIdStatus.Unavailable, now, null, null, $"VIES answered HTTP {(int)response.StatusCode}.");
            }

            var answer = await response.Content.ReadFromJsonAsync<ViesResponse>(timeout.Token);
            if (answer is null || !string.IsNullOrEmpty(answer.UserError) && answer.UserError != "VALID" && answer.UserError != "INVALID")
            {
                return new VatIdCheck(VatIdStatus.Unavailable, now, null, null, $"VIES could not answer: {answer?.UserError ?? "empty response"}.");
            }

            return new VatIdCheck(answer.Valid ? VatIdStatus.Valid : VatIdStatus.Invalid, now, answer.RequestIdentifier, answer.Name is "---" ? null : answer.Name, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("VIES check of {VatId} failed: {Error}", vatId, e.Message);
            return new VatIdCheck(VatIdStatus.Unavailable, now, null, null, $"VIES is not reachable: {e.Message}");
        }
    }

    private sealed record ViesRequest(
        [property: JsonPropertyName("countryCode")] string CountryCode,
        [property: JsonPropertyName("vatNumber")] string VatNumber,
        [property: JsonPropertyName("requesterMemberStateCode")] string? RequesterMemberStateCode,
        [property: JsonPropertyName("requesterNumber")] string? RequesterNumber);

    private sealed record ViesResponse(
        [property: JsonPropertyName("valid")] bool Valid,
        [property: JsonPropertyName("requestIdentifier")] string? RequestIdentifier,
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("userError")] string? UserError);
}
