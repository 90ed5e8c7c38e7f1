using System.Globalization;
using ScaiControl.Benchmarks;

// Benchmarks (scripts/bench.sh), not tests. Each one measures ScaiControl side by side with a plain baseline in the
// same run and writes its own section of the Markdown file (other sections are kept).
// Usage: ScaiControl.Benchmarks [pdf|webhooks|numbering|reads] [count] [markdown-output-path]
//   pdf       invoice PDFs (count, default 40); needs chromium (SCAI_CHROMIUM, default /usr/bin/chromium)
//   webhooks  webhook deliveries (count, default 2000) on SQLite, and on PostgreSQL when SCAI_BENCH_PG names a server
//   numbering finalisations of one hot seller (count, default 300) vs the raw counter transaction, on the servers named
//             by SCAI_BENCH_PG, SCAI_BENCH_MARIADB and SCAI_BENCH_GALERA1/2
//   reads     the API's read paths (count = measured seconds per request, default 10) under 50 concurrent requests, the
//             app on Kestrel in this process, on SQLite and on PostgreSQL when SCAI_BENCH_PG names a server
// A first argument that is a number means "pdf <count>" (the command line before the webhook benchmark existed).
var rest = args.ToList();
var which = "pdf";
if (rest.Count > 0 && !int.TryParse(rest[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
{
    which = rest[0];
    rest.RemoveAt(0);
}

int? count = rest.Count > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : null;
var output = rest.Count > 1 ? rest[1] : null;
try
{
    var (heading, report) = which switch
    {
        "pdf" => ("Invoice PDF rendering", await PdfBenchmark.RunAsync(count ?? 40, Environment.GetEnvironmentVariable("SCAI_CHROMIUM") ?? "/usr/bin/chromium")),
        "webhooks" => ("Webhook delivery", await WebhookBenchmark.RunAsync(count ?? 2000, Environment.GetEnvironmentVariable("SCAI_BENCH_PG"))),
        "numbering" => ("Gap-free numbering", await NumberingBenchmark.RunAsync(count ?? 300)),
        "reads" => ("API read paths", await ReadPathBenchmark.RunAsync(count ?? 10, Environment.GetEnvironmentVariable("SCAI_BENCH_PG"))),
        _ => throw new ArgumentException($"unknown benchmark '{which}': use pdf, webhooks, numbering or reads"),
    };
    Console.WriteLine(report);
    if (output is not null)
    {
        await MarkdownReport.WriteSectionAsync(output, heading, report);
    }

    return 0;
}
catch (Exception e) when (e is FileNotFoundException or ArgumentException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
