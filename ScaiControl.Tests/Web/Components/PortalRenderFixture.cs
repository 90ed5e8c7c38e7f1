using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.HtmlRendering.Infrastructure;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;
using MudBlazor.Services;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Demo;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web;
using ScaiControl.Web.Auth;

namespace ScaiControl.Tests.Web.Components;

/// <summary>
/// Renders portal components to HTML with the framework's static HTML renderer (bunit is not on the registry)
/// against a fresh SQLite database migrated and seeded with the demo data once per test class, signed in as a demo
/// user: the services are the real ones, the principal carries the same claims as the portal cookie.
/// </summary>
public sealed class PortalRenderFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scai-ui-" + Guid.NewGuid().ToString("N"));
    private IConfiguration _configuration = default!;
    private ServiceProvider _services = default!;

    /// <summary>The application services of the seeded database (for looking things up in tests).</summary>
    public IServiceProvider Services => _services;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_root, "t.db")}",
            ["Storage:Root"] = Path.Combine(_root, "objects"),
            ["DataDirectory"] = _root,
            // No browser starts in component tests: invoice PDFs stay pending with the renderer's reason.
            ["Pdf:ChromiumPath"] = "/nonexistent",
        }).Build();
        _services = BuildServices(null);
        await _services.GetRequiredService<ScaiDbFactory>().MigrateAsync();
        await _services.GetRequiredService<DemoSeeder>().SeedAsync();
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine: the temp folder is cleaned by the OS later.
        }
    }

    /// <summary>The actor of a demo user, as the portal derives it from the cookie's claims.</summary>
    public async Task<Actor> ActorAsync(string email) => (await PrincipalAsync(email)).ToActor();

    /// <summary>Renders <typeparamref name="TComponent"/> signed in as <paramref name="email"/> and returns its HTML once every async load is done.</summary>
    public async Task<string> RenderAsync<TComponent>(string email, IDictionary<string, object?>? parameters = null)
        where TComponent : IComponent
    {
        await using var services = BuildServices(await PrincipalAsync(email));
        await using var scope = services.CreateAsyncScope();
        await using var renderer = new PrerenderingHtmlRenderer(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = renderer.BeginRenderingComponent(typeof(TComponent), parameters is null ? ParameterView.Empty : ParameterView.FromDictionary(parameters));
            await output.QuiescenceTask;
            return output.ToHtmlString();
        });
    }

    private async Task<ClaimsPrincipal> PrincipalAsync(string email)
    {
        var user = await _services.GetRequiredService<TenancyService>().FindUserAsync(email)
            ?? throw new InvalidOperationException($"No demo user {email}.");
        return new ClaimsPrincipal(new ClaimsIdentity(ScaiClaims.For(user), "test", ScaiClaims.Name, ScaiClaims.Roles));
    }

    private ServiceProvider BuildServices(ClaimsPrincipal? user)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(_configuration);
        services.AddScaiInfrastructure(_configuration);
        services.AddMudServices();
        services.AddSingleton<IJSRuntime, NoOpJsRuntime>();
        services.AddSingleton<NavigationManager, TestNavigationManager>();
        services.AddSingleton<AuthenticationStateProvider>(new FixedAuthenticationStateProvider(user ?? new ClaimsPrincipal(new ClaimsIdentity())));
        // The same "scope:action" policies as AuthSetup.AddScaiAuth registers for the web host.
        services.AddAuthorizationCore(o =>
        {
            foreach (var permission in Permissions.All)
            {
                o.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireAssertion(ctx => ctx.User.ToActor().Can(permission)));
            }
        });
        services.AddCascadingAuthenticationState();
        services.AddScoped<PortalActor>();
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// <see cref="HtmlRenderer"/> (sealed) refuses components declaring <c>@rendermode InteractiveServer</c>, as the
    /// pages do. Its public base renders them the way the server prerenders them before the circuit starts: the
    /// component itself, statically. That is the HTML asserted here; interactivity is the browser test's job.
    /// </summary>
    private sealed class PrerenderingHtmlRenderer(IServiceProvider services, ILoggerFactory loggerFactory) : StaticHtmlRenderer(services, loggerFactory)
    {
        protected override IComponent ResolveComponentForRenderMode(Type componentType, int? parentComponentId, IComponentActivator componentActivator, IComponentRenderMode renderMode) =>
            componentActivator.CreateInstance(componentType);
    }

    private sealed class FixedAuthenticationStateProvider(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }

    /// <summary>MudBlazor only calls JS after rendering in a browser; static rendering never needs an answer.</summary>
    private sealed class NoOpJsRuntime : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => ValueTask.FromResult(default(TValue)!);

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) => ValueTask.FromResult(default(TValue)!);
    }

    private sealed class TestNavigationManager : NavigationManager
    {
        public TestNavigationManager() => Initialize("http://localhost/", "http://localhost/");

        protected override void NavigateToCore(string uri, NavigationOptions options) => Uri = ToAbsoluteUri(uri).ToString();
    }
}
