using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ScaiControl.Infrastructure.Payments;

/// <summary>Registers the payment services (issue 16) and schedules their jobs.</summary>
public static class PaymentsRegistration
{
    /// <summary>Adds the payment ledger services.</summary>
    public static IServiceCollection AddScaiPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<PaymentService>();
        services.AddSingleton<OverdueMarker>();
        services.AddSingleton(_ => new TestPaymentProvider(configuration["Payments:Test:WebhookSecret"]));
        services.AddSingleton<PaymentWebhookService>();
        services.AddSingleton<IPaymentProvider>(sp => sp.GetRequiredService<TestPaymentProvider>());
        services.AddSingleton<PaymentProviderResolver>();
        services.AddHttpClient("stripe");
        services.AddSingleton<PaymentCollectionService>();
        return services;
    }

    /// <summary>Schedules the overdue marker (every 15 minutes) and the collection and dunning pass (every 5 minutes).</summary>
    public static void SchedulePaymentJobs(IQuartzBuilder q)
    {
        q.ScheduleJob<OverdueJob>(
            t => t.WithIdentity("invoice-overdue").StartNow().WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(15)).RepeatForever()),
            j => j.DisallowConcurrentExecution());
        q.ScheduleJob<CollectionJob>(
            t => t.WithIdentity("payment-collection").StartNow().WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(5)).RepeatForever()),
            j => j.DisallowConcurrentExecution());
    }
}
