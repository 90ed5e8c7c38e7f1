using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace ScaiControl.Web.Api;

/// <summary>
/// Request body limits under /api: <see cref="DefaultLimit"/> bytes (Api:MaxRequestBodyBytes) unless the endpoint
/// declares its own with <see cref="WithRequestBodyLimit"/> (the template endpoints, whose bodies hold up to
/// InvoiceTemplate.MaxBodyLength characters). A larger body is refused with 413 problem+json before the endpoint
/// runs: at once when Content-Length says so, else as soon as the body read goes past the limit. Nothing is written.
/// </summary>
public static class RequestBodyLimits
{
    /// <summary>The limit of an API endpoint that declares none: 256 KiB, ample for every JSON body it takes.</summary>
    public const long DefaultLimit = 256 * 1024;

    /// <summary>The limit of the endpoints that take a whole invoice template (1,000,000 characters, JSON-escaped).</summary>
    public const long TemplateLimit = 8 * 1024 * 1024;

    /// <summary>Declares this endpoint's body limit in bytes.</summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long bytes)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new BodyLimit(bytes));

    /// <summary>Adds the check (after routing, before anything reads the body: idempotency hashes it).</summary>
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app, IConfiguration configuration)
    {
        var fallback = configuration.GetValue("Api:MaxRequestBodyBytes", DefaultLimit);
        return app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                await next(context);
                return;
            }

            var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? fallback;
            if (context.Request.ContentLength > limit)
            {
                await TooLargeAsync(context, limit);
                return;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }

            var body = new LimitedStream(context.Request.Body, limit);
            context.Request.Body = body;
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException) when (body.Exceeded && !context.Response.HasStarted)
            {
                // Reported below.
            }

            if (body.Exceeded && !context.Response.HasStarted)
            {
                // The JSON binder treats a failed body read as a dropped connection; answer it properly.
                context.Response.Clear();
                await TooLargeAsync(context, limit);
            }
        });
    }

    private static Task TooLargeAsync(HttpContext context, long limit)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "Request body too large",
                Detail = $"This endpoint takes a request body of at most {limit} bytes.",
            },
        }).AsTask();
    }

    private sealed record BodyLimit(long Bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => Bytes;
    }

    /// <summary>Reads through to the request body and fails once more than the limit was read.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public bool Exceeded { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            if (_read > limit)
            {
                Exceeded = true;
                throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
            }

            return read;
        }
    }
}
