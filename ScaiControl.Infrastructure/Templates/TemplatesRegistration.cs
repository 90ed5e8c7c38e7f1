using Microsoft.Extensions.DependencyInjection;

namespace ScaiControl.Infrastructure.Templates;

/// <summary>Registers the invoice template feature.</summary>
public static class TemplatesRegistration
{
    /// <summary>The compiler (with its cache of published versions), the resolver the invoice renderer uses, and the template service.</summary>
    public static IServiceCollection AddTemplates(this IServiceCollection services)
    {
        services.AddSingleton<TemplateCompiler>();
        services.AddSingleton<InvoiceTemplateResolver>();
        services.AddSingleton<InvoiceTemplateService>();
        return services;
    }
}
