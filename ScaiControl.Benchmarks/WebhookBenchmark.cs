using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Benchmarks;

/// <summary>
/// Webhook delivery benchmark. Through the real <see cref="WebhookDispatcher"/> (fan-out and deliver passes, Standard
/// Webhooks signing, the secret store, the real database) to a <see cref="Receiver"/> on 127.0.0.1, side by side in the
/// same run with plain HttpClient POSTs of the same bodies to the same receiver at the same parallelism; then the
/// dispatch lag (event commit → first attempt at the receiver) with passes back to back and with the app's Quartz job.
/// </summary>
internal static class WebhookBenchmark
{
    /// <summary>
    /// What is measured: the dispatcher's default settings and a tuned pair (bigger batches, more POSTs at once)
    /// against the receiver answering at once; then the defaults against the receiver answering after 20 ms, closer to a
    /// real endpoint across a network.
    /// </summary>
    private static readonly (string Name, int BatchSize, int Parallelism, int ReceiverDelayMs)[] Settings =
    [
        ("defaults", new WebhookOptions().BatchSize, new WebhookOptions().Parallelism, 0),
        ("tuned", 500, 32, 0),
        ("defaults", new WebhookOptions().BatchSize, new WebhookOptions().Parallelism, 20),
    ];

    /// <summary>Runs the benchmark with <paramref name="count"/> deliveries per setting; returns the Markdown section.</summary>
    /// <param name="count">Measured deliveries per provider and setting (and as many plain POSTs), in two rounds.</param>
    /// <param name="pgServer">A PostgreSQL server connection string (a throwaway database is created on it), or null for SQLite only.</param>
    public static async Task<string> RunAsync(int count, string? pgServer)
    {
        var total = Stopwatch.StartNew();
        var loadBefore = LoadAverage();
        await using var receiver = await Receiver.StartAsync();
        using var plainClient = new HttpClient();
        using var commands = new DbCommandCounter();
        var throughput = new List<string>();
        var lags = new List<string>();
        var notes = new List<string>();
        var breakdown = new List<string>();

        var providers = new List<string> { "Sqlite" };
        if (!string.IsNullOrEmpty(pgServer))
        {
            providers.Add("PostgreSQL");
        }
        else
        {
            notes.Add("PostgreSQL was not measured: SCAI_BENCH_PG was not set (scripts/bench.sh sets it when PostgreSQL's server binaries are installed).");
        }

        foreach (var provider in providers)
        {
            await using var env = await BenchEnvironment.CreateAsync(provider, pgServer, receiver.Url);
            Log($"{provider}: database ready ({total.Elapsed.TotalSeconds:F0} s)");

            // Warm-up: JIT, EF model and query compilation, connection pools, Kestrel and HttpClient connections.
            receiver.ClearSamples();
            await PlainAsync(plainClient, receiver.Url, (await env.InsertEventsAsync(200)).Select(WebhookDispatcher.BodyOf).ToList(), Settings.Max(x => x.Parallelism));
            await DrainAsync(env, 200);
            if (receiver.Samples.Count == 0 || !receiver.Samples.All(h => VerifiesIndependently(h, env.Secret)))
            {
                throw new InvalidOperationException("A delivery's webhook-signature did not verify with an independent HMAC-SHA256.");
            }

            foreach (var (name, batchSize, parallelism, delayMs) in Settings)
            {
                env.Options.BatchSize = batchSize;
                env.Options.Parallelism = parallelism;
                receiver.Delay = TimeSpan.FromMilliseconds(delayMs);
                var row = await MeasureThroughputAsync(env, receiver, plainClient, commands, delayMs > 0 ? count / 2 : count);
                receiver.Delay = TimeSpan.Zero;
                var answer = delayMs > 0 ? Invariant($"after {delayMs} ms") : "at once";
                throughput.Add(Invariant($"| {env.Label} | {answer} | {name}: BatchSize {batchSize}, Parallelism {parallelism} | {row.Deliveries} | {row.DispatcherRate:F0} | {row.PlainRate:F0} | **{row.DispatcherRate / row.PlainRate:F2}** | {row.CommandsPerDelivery:F1} | {row.DbMsPerDelivery:F2} |"));
                breakdown.Add(Invariant($"| {env.Label} | {answer} | {name} | {row.FanOutMs:F2} | {row.DeliverMs:F2} | {row.PostingMs:F2} | {row.DeliverMs - row.PostingMs:F2} | {1000 / row.PlainRate:F2} | {string.Join("; ", row.Kinds.Take(6).Select(k => $"{k.Kind} ×{k.PerDelivery:F2} {k.Ms:F2} ms"))} |"));
                Log($"{provider} {name} {answer}: dispatcher {row.DispatcherRate:F0}/s, plain {row.PlainRate:F0}/s, ratio {row.DispatcherRate / row.PlainRate:F2} ({total.Elapsed.TotalSeconds:F0} s)");
            }

            env.Options.BatchSize = Settings[0].BatchSize;
            env.Options.Parallelism = Settings[0].Parallelism;
            var tight = await MeasureLagAsync(env, receiver, TimeSpan.FromSeconds(6), 5, 45, cadence: false);
            lags.Add(LagRow(env.Label, "back to back (`RunAsync` in a loop)", tight));
            Log($"{provider} tight loop lag: p50 {Stats.Percentile(tight, 0.5):F0} ms, p99 {Stats.Percentile(tight, 0.99):F0} ms ({total.Elapsed.TotalSeconds:F0} s)");
            if (provider == "Sqlite")
            {
                var cadence = await MeasureLagAsync(env, receiver, TimeSpan.FromSeconds(25), 40, 200, cadence: true);
                lags.Add(LagRow(env.Label, "Quartz job as configured (every 10 s)", cadence));
                Log($"{provider} job cadence lag: p50 {Stats.Percentile(cadence, 0.5):F0} ms, p99 {Stats.Percentile(cadence, 0.99):F0} ms ({total.Elapsed.TotalSeconds:F0} s)");
            }

            if (receiver.Repeats > 0)
            {
                notes.Add(Invariant($"{receiver.Repeats} deliveries reached the receiver more than once."));
            }
        }

        var machine = Invariant($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, load average {loadBefore} at the start and {LoadAverage()} at the end (other work shares the cores)");
        return Invariant($"""
            Machine and run: {machine}; benchmark wall time {total.Elapsed.TotalSeconds:F0} s (build not included).
            Command: `scripts/bench.sh webhooks {count}` ({(providers.Count > 1 ? "SQLite, and PostgreSQL on a throwaway server with default durability settings, started by the script" : "SQLite only")}).
            Everything below comes from that one run.

            **Throughput.** The real `WebhookDispatcher` from the app's service registrations (`AddScaiInfrastructure`):
            `RunAsync` passes back to back (fan-out, then one deliver batch), Standard Webhooks signing with the secret
            read from the secret store, delivery rows and audit rows written as in the app. Against it, plain `HttpClient`
            POSTs of the same JSON bodies (no signing, no database) to the same Kestrel receiver on 127.0.0.1 (204), with
            the same parallelism (`Parallel.ForEachAsync`). Two alternating rounds of half the deliveries each, after a
            warm-up of 200; all events are committed before the clock starts; one subscriber (`subscription.*`).
            The settings are `Webhooks:BatchSize` / `Webhooks:Parallelism`: the defaults, and "tuned" with 5× the batch and
            twice the POSTs at once (32 is also the webhook HttpClient's MaxConnectionsPerServer: more would only queue).

            | database | receiver answers | dispatcher settings | deliveries | dispatcher /s | plain HttpClient /s | ratio | SQL commands / delivery | SQL ms / delivery |
            |---|---|---|---|---|---|---|---|---|
            {string.Join("\n", throughput)}

            **Where the dispatcher's time goes**, in ms per delivery: the fan-out pass; the deliver passes, split into the
            time POSTs were reaching the receiver (each batch's first to last arrival) and the time between batches
            (claiming, loading, recording outcomes, audit rows); a plain POST for comparison; and the SQL statements of the
            second round (kind × count per delivery, summed execution ms per delivery, most time first; statements run in
            parallel overlap), counted through EF Core's DiagnosticListener.

            | database | receiver answers | settings | fan-out | deliver | of which POSTing | of which between batches | plain POST | SQL statements per delivery (top 6 by time) |
            |---|---|---|---|---|---|---|---|---|
            {string.Join("\n", breakdown)}

            **Dispatch lag**: event commit (the outbox row's transaction returned) → first attempt arriving at the
            receiver, for single events committed at random moments while the dispatcher runs. "Back to back" is a loop
            calling `RunAsync` without pause (the dispatcher's best case); "Quartz job" is the app's own scheduling
            (`AddScaiJobs`: `WebhookDispatchJob` at start, then every 10 s), measured on SQLite only (the wait for the next
            run dominates; the database adds the back-to-back figure at most).

            | database | how the dispatcher runs | events | p50 ms | p99 ms | max ms |
            |---|---|---|---|---|---|
            {string.Join("\n", lags)}
            {(notes.Count == 0 ? string.Empty : "\n" + string.Join("\n", notes))}
            """);
    }

    private static async Task<ThroughputResult> MeasureThroughputAsync(BenchEnvironment env, Receiver receiver, HttpClient plainClient, DbCommandCounter commands, int count)
    {
        var half = count / 2;
        TimeSpan plainTime = TimeSpan.Zero, dispatcherTime = TimeSpan.Zero, fanOutTime = TimeSpan.Zero, postingTime = TimeSpan.Zero;
        IReadOnlyList<(string Kind, long Count, TimeSpan Time)> kinds = [];
        long dbCommands = 0;
        var dbTime = TimeSpan.Zero;
        for (var round = 0; round < 2; round++)
        {
            var events = await env.InsertEventsAsync(half);
            var bodies = events.Select(WebhookDispatcher.BodyOf).ToList();
            if (round == 0)
            {
                plainTime += await PlainAsync(plainClient, receiver.Url, bodies, env.Options.Parallelism);
            }

            commands.Reset();
            var sw = Stopwatch.StartNew();
            // RunAsync is fan-out then one deliver batch; the first fan-out is timed on its own for the breakdown, the
            // passes that follow find nothing left to fan out (a one-row probe) and deliver batch after batch.
            await env.Dispatcher.FanOutAsync(env.Clock.GetUtcNow());
            fanOutTime += sw.Elapsed;
            await DrainAsync(env, half);
            dispatcherTime += sw.Elapsed;
            postingTime += PostingSpan(receiver, events, env.Options.BatchSize);
            var (n, t) = commands.Read();
            kinds = commands.ByKind();
            dbCommands += n;
            dbTime += t;
            if (round == 1)
            {
                plainTime += await PlainAsync(plainClient, receiver.Url, bodies, env.Options.Parallelism);
            }

            var arrived = receiver.CountArrived(events.Select(e => e.IdempotencyKey));
            if (arrived != half)
            {
                throw new InvalidOperationException($"Only {arrived} of {half} deliveries reached the receiver.");
            }
        }

        await env.CheckAllSucceededAsync();
        return new ThroughputResult(2 * half, 2 * half / dispatcherTime.TotalSeconds, 2 * half / plainTime.TotalSeconds, (double)dbCommands / (2 * half), dbTime.TotalMilliseconds / (2 * half),
            fanOutTime.TotalMilliseconds / (2 * half), (dispatcherTime - fanOutTime).TotalMilliseconds / (2 * half), postingTime.TotalMilliseconds / (2 * half), kinds.Select(k => (k.Kind, (double)k.Count / half, k.Time.TotalMilliseconds / half)).ToList());
    }

    /// <summary>Runs dispatcher passes back to back until <paramref name="deliveries"/> POSTs were made.</summary>
    private static async Task DrainAsync(BenchEnvironment env, int deliveries)
    {
        var attempted = 0;
        while (attempted < deliveries)
        {
            var pass = await env.Dispatcher.RunAsync(env.Clock.GetUtcNow());
            if (pass.FannedOut == 0 && pass.Attempted == 0)
            {
                throw new InvalidOperationException($"The dispatcher went idle after {attempted} of {deliveries} deliveries.");
            }

            attempted += pass.Attempted;
        }
    }

    /// <summary>
    /// The time the deliver passes spent with POSTs reaching the receiver: the arrivals in order, cut into the
    /// dispatcher's batches (one pass POSTs one batch and waits for it), each batch's first to last arrival, summed.
    /// The rest of the deliver time is between batches: claiming, loading, recording the outcomes.
    /// </summary>
    private static TimeSpan PostingSpan(Receiver receiver, List<Domain.Events.OutboxEvent> events, int batchSize)
    {
        var arrivals = events.Select(e => receiver.TryGetArrival(e.IdempotencyKey, out var t) ? t : 0).Order().ToList();
        var ticks = arrivals.Chunk(batchSize).Sum(batch => batch[^1] - batch[0]);
        return TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);
    }

    /// <summary>The plain baseline: POSTs <paramref name="bodies"/> with <paramref name="parallelism"/> at once; returns the time taken.</summary>
    private static async Task<TimeSpan> PlainAsync(HttpClient client, string url, IReadOnlyList<string> bodies, int parallelism)
    {
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (body, ct) =>
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri(url), content, ct);
            response.EnsureSuccessStatusCode();
        });
        return sw.Elapsed;
    }

    /// <summary>
    /// Commits single events at random gaps of <paramref name="minGapMs"/>..<paramref name="maxGapMs"/> ms for
    /// <paramref name="window"/> while the dispatcher runs (back to back, or the host's Quartz job when
    /// <paramref name="cadence"/>), then waits for them all; returns each event's commit → arrival in ms.
    /// </summary>
    private static async Task<List<double>> MeasureLagAsync(BenchEnvironment env, Receiver receiver, TimeSpan window, int minGapMs, int maxGapMs, bool cadence)
    {
        using var stop = new CancellationTokenSource();
        Task loop = Task.CompletedTask;
        if (cadence)
        {
            await env.Host.StartAsync(); // Quartz hosted service: the app's jobs, the webhook job first at start then every 10 s
        }
        else
        {
            loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await env.Dispatcher.RunAsync(env.Clock.GetUtcNow());
                }
            });
        }

        var random = new Random(20261130);
        var sent = new List<(string Id, long Committed)>();
        var end = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            await Task.Delay(random.Next(minGapMs, maxGapMs + 1));
            sent.Add(await env.CommitOneEventAsync());
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(30 * Stopwatch.Frequency);
        while (receiver.CountArrived(sent.Select(s => s.Id)) < sent.Count && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await loop;
        if (cadence)
        {
            await env.Host.StopAsync();
        }

        var lags = new List<double>();
        foreach (var (id, committed) in sent)
        {
            if (!receiver.TryGetArrival(id, out var arrived))
            {
                throw new InvalidOperationException($"Event {id} did not reach the receiver within 30 s of the last commit.");
            }

            lags.Add(Stopwatch.GetElapsedTime(committed, arrived).TotalMilliseconds);
        }

        return lags;
    }

    private static string LagRow(string database, string how, List<double> lags) =>
        Invariant($"| {database} | {how} | {lags.Count} | {Stats.Percentile(lags, 0.5):F0} | {Stats.Percentile(lags, 0.99):F0} | {lags.Max():F0} |");

    /// <summary>Standard Webhooks check written out here (not the project's <see cref="StandardWebhooks"/>): base64 HMAC-SHA256 of "id.timestamp.body".</summary>
    private static bool VerifiesIndependently(ReceivedHit hit, string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{hit.Id}.{hit.Timestamp}.{hit.Body}")));
        return hit.Signature.Split(' ').Contains(expected, StringComparer.Ordinal);
    }

    /// <summary>The 1-minute load average from /proc/loadavg ("?" where there is none).</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static void Log(string message) => Console.Error.WriteLine($"[bench webhooks] {message}");

    /// <summary>One setting's figures; times per delivery in ms; <paramref name="Kinds"/> from the second round (statements per delivery, summed ms per delivery).</summary>
    private sealed record ThroughputResult(int Deliveries, double DispatcherRate, double PlainRate, double CommandsPerDelivery, double DbMsPerDelivery,
        double FanOutMs, double DeliverMs, double PostingMs, IReadOnlyList<(string Kind, double PerDelivery, double Ms)> Kinds);
}
