using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using ScaiControl.Infrastructure.Distributed;

namespace ScaiControl.Web.Auth;

/// <summary>
/// The identity provider's signing keys (and, with discovery, its issuer and endpoints) for the API's bearer tokens.
/// The discovery document and the JWKS are read through <see cref="ISharedCache"/> (one fetch for all nodes with
/// Redis) and kept for Auth:KeyCacheLifetime. A token whose kid is not among the keys makes it refetch both documents
/// at once, bypassing the cache (<see cref="EnsureKeyAsync"/>), at most once per Auth:KeyRefetchInterval: a key the
/// provider rotated in is accepted on its first token, a key it still publishes stays valid until its tokens expire,
/// and a key it withdrew is refused after the next refetch. No restart is needed for any of it.
/// </summary>
public sealed class SigningKeySource : IConfigurationManager<OpenIdConnectConfiguration>, IDisposable
{
    private readonly string _address;
    private readonly bool _discovery;
    private readonly IDocumentRetriever _http;
    private readonly ISharedCache _cache;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;
    private readonly TimeSpan _refetchInterval;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _cachedAddresses = new(StringComparer.Ordinal);
    private OpenIdConnectConfiguration? _current;
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastRefetch = DateTimeOffset.MinValue;

    /// <summary>
    /// A source for <paramref name="address"/>: an OIDC discovery URL when <paramref name="discovery"/>, else a bare
    /// JWKS URL.
    /// </summary>
    public SigningKeySource(string address, bool discovery, IDocumentRetriever http, ISharedCache cache, TimeProvider clock, TimeSpan lifetime, TimeSpan refetchInterval, ILogger logger)
    {
        _address = address;
        _discovery = discovery;
        _http = http;
        _cache = cache;
        _clock = clock;
        _lifetime = lifetime;
        _refetchInterval = refetchInterval;
        _logger = logger;
    }

    /// <summary>How many times the documents were fetched from the provider by this node, bypassing the cache.</summary>
    public int Refetches { get; private set; }

    /// <inheritdoc/>
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var current = _current;
        if (current is not null && _clock.GetUtcNow() - _loadedAt < _lifetime)
        {
            return current;
        }

        await _gate.WaitAsync(cancel);
        try
        {
            if (_current is not null && _clock.GetUtcNow() - _loadedAt < _lifetime)
            {
                return _current;
            }

            try
            {
                Set(await LoadAsync(bypassCache: false, cancel));
            }
            catch (Exception e) when (_current is not null && e is not OperationCanceledException)
            {
                // The provider is down: keep the last keys for now and try again on the next request.
                _logger.LogWarning(e, "Could not refresh the identity provider's keys from {Address}; using the last ones", _address);
            }

            return _current ?? throw new InvalidOperationException($"No signing keys from {_address}.");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes sure the keys include the one named by the raw <paramref name="token"/>'s kid: when it is unknown,
    /// refetches the documents from the provider (bypassing the shared cache, which is then refilled for every node),
    /// unless that happened within Auth:KeyRefetchInterval. A token that does not parse is left to the validator.
    /// </summary>
    public async Task EnsureKeyAsync(string? token, CancellationToken cancel)
    {
        string? kid;
        try
        {
            kid = string.IsNullOrEmpty(token) ? null : new JsonWebToken(token).Kid;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return; // Malformed: the validator refuses it.
        }

        if (string.IsNullOrEmpty(kid))
        {
            return;
        }

        var current = await TryGetAsync(cancel);
        if (current is not null && Knows(current, kid))
        {
            return;
        }

        await _gate.WaitAsync(cancel);
        try
        {
            if ((_current is not null && Knows(_current, kid)) || _clock.GetUtcNow() - _lastRefetch < _refetchInterval)
            {
                return;
            }

            _lastRefetch = _clock.GetUtcNow();
            Refetches++;
            Set(await LoadAsync(bypassCache: true, cancel));
            _logger.LogInformation("Token with unknown key id {Kid}: refetched the identity provider's keys ({Count} published)", kid, _current!.SigningKeys.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Could not refetch the identity provider's keys from {Address}", _address);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();

    /// <inheritdoc/>
    public void RequestRefresh()
    {
        // The bearer handler asks after a key-not-found failure; EnsureKeyAsync already refetched (throttled)
        // before validation, so nothing more is done here: a flood of forged kids must not reach the provider.
    }

    private async Task<OpenIdConnectConfiguration?> TryGetAsync(CancellationToken cancel)
    {
        try
        {
            return await GetConfigurationAsync(cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    private static bool Knows(OpenIdConnectConfiguration configuration, string kid) =>
        configuration.SigningKeys.Any(k => string.Equals(k.KeyId, kid, StringComparison.Ordinal));

    private void Set(OpenIdConnectConfiguration configuration)
    {
        _current = configuration;
        _loadedAt = _clock.GetUtcNow();
    }

    private async Task<OpenIdConnectConfiguration> LoadAsync(bool bypassCache, CancellationToken cancel)
    {
        if (bypassCache)
        {
            string[] addresses;
            lock (_cachedAddresses)
            {
                addresses = [.. _cachedAddresses];
            }

            foreach (var address in addresses)
            {
                await _cache.InvalidateAsync(CacheKey(address), cancel);
            }
        }

        var retriever = new CachedRetriever(this);
        if (_discovery)
        {
            return await OpenIdConnectConfigurationRetriever.GetAsync(_address, retriever, cancel);
        }

        var jwks = new JsonWebKeySet(await retriever.GetDocumentAsync(_address, cancel));
        var configuration = new OpenIdConnectConfiguration();
        foreach (var key in jwks.GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }

        return configuration;
    }

    private static string CacheKey(string address) => "jwks:" + address;

    /// <summary>Reads documents through the shared cache and remembers their addresses (for the bypass).</summary>
    private sealed class CachedRetriever(SigningKeySource owner) : IDocumentRetriever
    {
        public Task<string> GetDocumentAsync(string address, CancellationToken cancel)
        {
            lock (owner._cachedAddresses)
            {
                owner._cachedAddresses.Add(address);
            }

            return owner._cache.GetOrCreateAsync(CacheKey(address), c => owner._http.GetDocumentAsync(address, c), owner._lifetime, ct: cancel);
        }
    }
}
