using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ScaiControl.Infrastructure.Billing;
using ScaiControl.Infrastructure.Catalog;
using ScaiControl.Infrastructure.Demo;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Pdf;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Storage;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Infrastructure.Templates;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure;

/// <summary>Registers the infrastructure: database, storage, PDF and the application services of each feature.</summary>
public static class Registrations
{
    /// <summary>
    /// Adds everything from configuration: Database:Provider ("Sqlite" default | "PostgreSQL" | "MariaDB"),
    /// ConnectionStrings:Sqlite / ConnectionStrings:PostgreSQL / ConnectionStrings:MariaDB, Database:MaxRetries (MariaDB), Storage:* (<see cref="StorageOptions"/>), Pdf:* (<see cref="PdfOptions"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Unknown provider, or PostgreSQL/MariaDB without a connection string.</exception>
    public static IServiceCollection AddScaiInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<TimeProvider>(new MicrosecondTimeProvider(TimeProvider.System));
        services.AddSingleton(ReadDatabaseOptions(configuration));
        services.AddSingleton<ScaiDbFactory>();
        Distributed.DistributedRegistration.AddScaiDistributed(services, configuration);

        var storage = configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions();
        storage.Root = configuration["Storage:Root"] ?? Path.Combine(DataDirectory.Resolve(configuration), "objects");
        services.AddSingleton(storage);
        if (string.Equals(storage.Provider, "S3", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<IObjectStorage, S3ObjectStorage>();
        }
        else
        {
            services.AddSingleton<IObjectStorage, FileSystemObjectStorage>();
        }

        services.AddSingleton(configuration.GetSection("Pdf").Get<PdfOptions>() ?? new PdfOptions());
        services.TryAddSingleton<IPdfRenderer, ChromiumPdfRenderer>();
        services.AddTemplates();
        services.AddSingleton<InvoiceHtmlRenderer>();

        services.AddSingleton(configuration.GetSection("Vies").Get<Vat.ViesOptions>() ?? new Vat.ViesOptions());
        services.AddHttpClient("vies");
        services.TryAddSingleton<Vat.IVatIdValidator, Vat.ViesRestClient>();
        services.AddSingleton<InvoiceService>();
        Payments.PaymentsRegistration.AddScaiPayments(services, configuration);
        services.AddSingleton(NodeIdentity.From(configuration));
        services.AddSingleton(new BillingRunOptions
        {
            Lease = configuration.GetValue("Billing:RunLease", TimeSpan.FromSeconds(30)),
            PageSize = Math.Clamp(configuration.GetValue("Billing:PageSize", 500), 1, 10_000),
            BatchSize = Math.Clamp(configuration.GetValue("Billing:BatchSize", 100), 1, 1_000),
        });
        services.AddSingleton<BillingRunService>();
        services.AddSingleton(configuration.GetSection("FacturX").Get<Invoicing.EInvoicing.FacturXOptions>() ?? new Invoicing.EInvoicing.FacturXOptions());
        services.AddSingleton<Invoicing.EInvoicing.FacturXWriter>();
        services.AddSingleton<Invoicing.EInvoicing.EInvoiceService>();
        services.AddSingleton<SubscriptionService>();
        services.AddSingleton(configuration.GetSection("Subscriptions").Get<SubscriptionLifecycleOptions>() ?? new SubscriptionLifecycleOptions());
        services.AddSingleton<SubscriptionReaper>();
        services.AddSingleton<TrialEndingNotifier>();
        services.AddSingleton<PlanChangeService>();
        services.AddSingleton<PlanAdminService>();
        services.AddSingleton<Packs.PackSubscriptionReaper>();
        services.AddSingleton<Packs.PackCatalogService>();
        services.AddSingleton<Packs.PackSubscriptionService>();
        services.AddSingleton<CatalogService>();
        services.AddSingleton<BillingProfileService>();
        services.AddSingleton<SubscribeQuoteService>();
        services.AddSingleton<Dashboard.OperatorDashboardService>();
        services.AddSingleton<Dashboard.TenantOverviewService>();
        services.AddSingleton<TenancyService>();
        services.AddSingleton<Identity.ApiKeyService>();
        services.AddSingleton(configuration.GetSection("Usage").Get<Usage.UsageOptions>() ?? new Usage.UsageOptions());
        services.AddSingleton<Usage.UsageIngestionService>();
        services.AddSingleton<Usage.UsageQueryService>();
        services.AddSingleton<Usage.UsageCorrectionService>();
        Identity.IdentityRegistration.AddScaiIdentity(services, configuration);
        Registry.RegistryRegistration.AddScaiRegistry(services, configuration);
        services.AddSingleton<DemoSeeder>();
        services.AddSingleton(sp =>
        {
            // SSRF protection and https-only are on unless Development (Webhooks:SsrfProtection / Webhooks:AllowHttp override).
            var development = sp.GetService<Microsoft.Extensions.Hosting.IHostEnvironment>()?.EnvironmentName == "Development";
            var o = new Webhooks.WebhookOptions { SsrfProtection = !development, AllowHttp = development };
            configuration.GetSection("Webhooks").Bind(o);
            return o;
        });
        services.AddHttpClient(Webhooks.WebhookDispatcher.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => Webhooks.WebhookConnector.CreateHandler(sp.GetRequiredService<Webhooks.WebhookOptions>().SsrfProtection));
        services.AddSingleton<Webhooks.WebhookDispatcher>();
        services.AddSingleton<Webhooks.WebhookSubscriptionService>();
        AddSecretStore(services, configuration);
        services.AddScoped<ActorContext>();
        services.AddScoped<IActorContext>(sp => sp.GetRequiredService<ActorContext>());
        return services;
    }

    /// <summary>
    /// The secret store: ScaiVault when Vault:Address is set, else the local table encrypted with a key ring in
    /// Secrets:KeyDirectory (default &lt;DataDirectory&gt;/secret-keys). See docs/secrets.md.
    /// </summary>
    private static void AddSecretStore(IServiceCollection services, IConfiguration configuration)
    {
        var vault = configuration.GetSection("Vault").Get<Secrets.VaultOptions>() ?? new Secrets.VaultOptions();
        services.AddSingleton(vault);
        if (vault.Enabled)
        {
            services.AddHttpClient(Secrets.ScaiVaultSecretStore.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
            services.TryAddSingleton<Secrets.ISecretStore>(sp => new Secrets.ScaiVaultSecretStore(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(Secrets.ScaiVaultSecretStore.HttpClientName), vault,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Secrets.ScaiVaultSecretStore>>()));
            return;
        }

        services.TryAddSingleton(_ => new Secrets.LocalSecretProtector(configuration["Secrets:KeyDirectory"] is { Length: > 0 } dir
            ? Path.GetFullPath(dir)
            : Path.Combine(DataDirectory.Resolve(configuration), "secret-keys")));
        services.TryAddSingleton<Secrets.ISecretStore, Secrets.LocalSecretStore>();
    }

    /// <summary>Reads Database:Provider and the matching connection string.</summary>
    public static DatabaseOptions ReadDatabaseOptions(IConfiguration configuration)
    {
        var provider = configuration["Database:Provider"] ?? "Sqlite";
        if (string.Equals(provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = configuration.GetConnectionString("Sqlite") ?? $"Data Source={Path.Combine(DataDirectory.Resolve(configuration), "scaicontrol.db")}" };
        }

        if (string.Equals(provider, "PostgreSQL", StringComparison.OrdinalIgnoreCase) || string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase))
        {
            return new DatabaseOptions
            {
                Provider = DatabaseProvider.PostgreSql,
                ConnectionString = configuration.GetConnectionString("PostgreSQL")
                    ?? throw new InvalidOperationException("Database:Provider is PostgreSQL but ConnectionStrings:PostgreSQL is not set."),
            };
        }

        if (string.Equals(provider, "MariaDB", StringComparison.OrdinalIgnoreCase))
        {
            var retries = configuration["Database:MaxRetries"];
            return new DatabaseOptions
            {
                Provider = DatabaseProvider.MariaDb,
                ConnectionString = configuration.GetConnectionString("MariaDB")
                    ?? throw new InvalidOperationException("Database:Provider is MariaDB but ConnectionStrings:MariaDB is not set."),
                MaxRetries = retries is null ? 20
                    : int.TryParse(retries, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 100 ? n
                    : throw new InvalidOperationException($"Database:MaxRetries '{retries}' is not a whole number from 0 to 100."),
            };
        }

        throw new InvalidOperationException($"Database:Provider '{provider}' is not supported; use 'Sqlite', 'PostgreSQL' or 'MariaDB'.");
    }
}
