using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ScaiControl.Benchmarks;

/// <summary>One signed POST as the receiver saw it (kept for a few, to check signatures after the run).</summary>
internal sealed record ReceivedHit(string Id, string Timestamp, string Signature, string Body);

/// <summary>
/// A webhook receiver on 127.0.0.1 (Kestrel minimal app) answering every POST to /hook with 204 after reading the
/// body (and waiting <see cref="Delay"/>, to play a slower endpoint). For POSTs carrying a webhook-id it records the first arrival time (Stopwatch ticks) per id and counts
/// repeats; plain POSTs (no webhook-id) are only counted.
/// </summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, long> _arrivals = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedHit> _samples = new();
    private long _plain;
    private long _repeats;

    private Receiver(WebApplication app) => _app = app;

    /// <summary>The endpoint URL (http://127.0.0.1:port/hook).</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>How long the receiver waits before answering (zero by default: answer at once).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>POSTs without webhook-id received so far.</summary>
    public long Plain => Interlocked.Read(ref _plain);

    /// <summary>Signed POSTs whose webhook-id had been seen before.</summary>
    public long Repeats => Interlocked.Read(ref _repeats);

    /// <summary>The first few signed POSTs received since start or <see cref="ClearSamples"/>.</summary>
    public IReadOnlyCollection<ReceivedHit> Samples => _samples;

    /// <summary>Starts the receiver on a free loopback port.</summary>
    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/hook", async (HttpContext ctx) =>
        {
            var id = ctx.Request.Headers["webhook-id"].ToString();
            var at = Stopwatch.GetTimestamp();
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync(ctx.RequestAborted);
            receiver.Record(id, at, ctx.Request.Headers, body);
            if (receiver.Delay > TimeSpan.Zero)
            {
                await Task.Delay(receiver.Delay, ctx.RequestAborted);
            }

            return Results.NoContent();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + "/hook";
        return receiver;
    }

    /// <summary>Forgets the kept samples: the next few signed POSTs are kept instead.</summary>
    public void ClearSamples() => _samples.Clear();

    /// <summary>The first arrival (Stopwatch ticks) of <paramref name="id"/>, if it arrived.</summary>
    public bool TryGetArrival(string id, out long ticks) => _arrivals.TryGetValue(id, out ticks);

    /// <summary>How many of <paramref name="ids"/> have arrived.</summary>
    public int CountArrived(IEnumerable<string> ids) => ids.Count(_arrivals.ContainsKey);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Record(string id, long at, IHeaderDictionary headers, string body)
    {
        if (id.Length == 0)
        {
            Interlocked.Increment(ref _plain);
            return;
        }

        if (!_arrivals.TryAdd(id, at))
        {
            Interlocked.Increment(ref _repeats);
        }
        else if (_samples.Count < 5)
        {
            _samples.Enqueue(new ReceivedHit(id, headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body));
        }
    }
}
