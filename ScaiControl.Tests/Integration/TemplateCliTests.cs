using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Templates;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Web.Cli;

namespace ScaiControl.Tests.Integration;

/// <summary>`admin templates validate` on a fresh database: 0 for the seeded templates, 1 and one line per broken version.</summary>
public sealed class TemplateCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scai-tpl-cli-").FullName;

    private IConfiguration Config => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_dir, "cli.db")}",
        ["DataDirectory"] = _dir,
        ["Pdf:ChromiumPath"] = "/nonexistent/chromium",
    }).Build();

    [Fact]
    public async Task Validate_PassesForTheSeededTemplates_AndFailsWithOneLinePerBrokenVersion()
    {
        Assert.Equal(0, (await Run("seed-demo")).Code);

        var (code, output, error) = await Run("templates", "validate");
        Assert.Equal(0, code);
        Assert.Equal("2 template version(s) checked: all compile and render.", output.Trim());
        Assert.Empty(error);

        var services = new ServiceCollection().AddLogging().AddScaiInfrastructure(Config).BuildServiceProvider();
        await using (services)
        {
            await using var db = await services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
            db.InvoiceTemplates.Add(new InvoiceTemplate("invoice", DocumentType.Invoice, "de-AT", null, 1, "<table>\n<tbody>\n{{#each lines}}<tr></tr>\n</tbody></table>", "test", DateTimeOffset.UtcNow));
            db.InvoiceTemplates.Add(new InvoiceTemplate("invoice", DocumentType.CreditNote, "en", null, 1, "<p>{{#each lines}}{{/each}}</p>\n\n{{> letterhead}}", "test", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        (code, output, error) = await Run("templates", "validate");
        Assert.Equal(1, code);
        Assert.Equal("4 template version(s) checked: 2 failed.", output.Trim());
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Single(lines, l => Regex.IsMatch(l, @"^error: template tpl_\w+ \(invoice / invoice / de-AT / platform v1, draft\): line 3: Reached end of template before block expression '#each' was closed"));
        Assert.Single(lines, l => Regex.IsMatch(l, @"^error: template tpl_\w+ \(invoice / credit_note / en / platform v1, draft\): line 3: Referenced partial name 'letterhead' could not be resolved"));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Cleaned by the OS later.
        }
    }

    private async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AdminCli.RunAsync(args, stdout, stderr, Config, "Development");
        return (code, stdout.ToString(), stderr.ToString());
    }
}
