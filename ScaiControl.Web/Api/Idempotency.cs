using System.Security.Cryptography;
using ScaiControl.Infrastructure.Distributed;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>Endpoint metadata: POSTs to this endpoint honour the Idempotency-Key header (see <see cref="Idempotency"/>).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class IdempotentAttribute : Attribute;

/// <summary>
/// The Idempotency-Key header (IETF draft-ietf-httpapi-idempotency-key-header) on every POST that creates or moves money
/// (subscribe, credit note, finalise, billing run, pack subscribe, plan change): the first request with a key runs;
/// a repeat within 24 h gets the first response again (status, Location and body, with "Idempotent-Replayed: true")
/// without running anything; a repeat while the first still runs gets 409; the same key with a different request
/// (method, path or body) gets 422. Keys are per caller (the token's subject). Requests without the header run as
/// before. Failed requests (an exception, or a 5xx) free the key, so a retry runs again. Shared by all nodes with Redis.
/// </summary>
public static class Idempotency
{
    /// <summary>The request header.</summary>
    public const string Header = "Idempotency-Key";

    /// <summary>The response header on a replayed response.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>How long a completed response is replayed.</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromHours(24);

    /// <summary>How long a key stays taken by a request that never completes (its node died).</summary>
    public static readonly TimeSpan LockFor = TimeSpan.FromMinutes(5);

    /// <summary>Marks the endpoint as honouring Idempotency-Key.</summary>
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new IdempotentAttribute()).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    /// <summary>Adds the middleware (after authentication and authorization: the key is scoped to the caller).</summary>
    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsPost(context.Request.Method)
            || context.GetEndpoint()?.Metadata.GetMetadata<IdempotentAttribute>() is null
            || !context.Request.Headers.TryGetValue(Header, out var values))
        {
            await next(context);
            return;
        }

        await HandleAsync(context, next, values.ToString());
    });

    private static async Task HandleAsync(HttpContext context, RequestDelegate next, string key)
    {
        if (key.Length is 0 or > 255 || key.Any(c => c < 0x21 || c > 0x7e))
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid Idempotency-Key", "The Idempotency-Key header must be 1 to 255 visible ASCII characters.");
            return;
        }

        var store = context.RequestServices.GetRequiredService<IIdempotencyStore>();
        var actor = context.User.ToActor();
        var scoped = $"{actor.UserId}|{key}";
        var fingerprint = await FingerprintAsync(context.Request);
        var begin = await store.TryBeginAsync(scoped, fingerprint, LockFor, context.RequestAborted);
        if (!begin.Started)
        {
            if (begin.Fingerprint is not null && begin.Fingerprint != fingerprint)
            {
                await ProblemAsync(context, StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused",
                    "This Idempotency-Key was used for a different request (method, path or body); use a new key for a new request.");
            }
            else if (begin.Response is { } stored)
            {
                await ReplayAsync(context, stored);
            }
            else
            {
                await ProblemAsync(context, StatusCodes.Status409Conflict, "Request in progress",
                    "A request with this Idempotency-Key is still being processed; retry after it completes to get its response.");
            }

            return;
        }

        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        var completed = false;
        try
        {
            await next(context);
            completed = true;
        }
        finally
        {
            context.Response.Body = original;
            if (completed && context.Response.StatusCode < 500)
            {
                var body = buffer.ToArray();
                await store.CompleteAsync(scoped, new StoredResponse(fingerprint, context.Response.StatusCode, context.Response.ContentType, context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null, body), KeepFor, CancellationToken.None);
                await original.WriteAsync(body, CancellationToken.None);
            }
            else
            {
                await store.ReleaseAsync(scoped, CancellationToken.None);
                if (completed)
                {
                    await original.WriteAsync(buffer.ToArray(), CancellationToken.None);
                }
            }
        }
    }

    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            sha.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    private static async Task ReplayAsync(HttpContext context, StoredResponse stored)
    {
        context.Response.StatusCode = stored.Status;
        if (stored.ContentType is not null)
        {
            context.Response.ContentType = stored.ContentType;
        }

        if (stored.Location is not null)
        {
            context.Response.Headers.Location = stored.Location;
        }

        context.Response.Headers[ReplayedHeader] = "true";
        await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }

    private static async Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
