using System.Globalization;
using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;
using MudBlazor.Services;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Demo;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web;
using ScaiControl.Web.Auth;
using ScaiControl.Web.Components.Shared;
using ScaiControl.Web.Localization;

namespace ScaiControl.Tests.Web.Components;

/// <summary>
/// Renders portal components with bunit against a fresh SQLite database migrated and seeded with the demo data once
/// per test class, signed in as a demo user: the services are the real ones, the principal carries the same claims
/// as the portal cookie (locale and zone from the tenant's country, as the sign-in sets them), the culture and time
/// zone are the user's, MudBlazor's services are registered (<c>AddMudServices</c>) and its popover, dialog and
/// snackbar providers are rendered around the component, JS interop is loose (MudBlazor's calls answer defaults).
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
            // The development sign-in page (Development only).
            ["Auth:DevSignIn"] = "true",
        }).Build();
        var services = new ServiceCollection();
        AddAppServices(services);
        _services = services.BuildServiceProvider();
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

    /// <summary>
    /// Renders <typeparamref name="TComponent"/> signed in as <paramref name="email"/> (null: nobody) and waits until
    /// no loading indicator is left (every page and panel shows one while it reads). <paramref name="locale"/> (e.g. "de-DE")
    /// replaces the locale the user's country gives, as the portal's language switch does.
    /// </summary>
    public async Task<PortalView<TComponent>> OpenAsync<TComponent>(string? email, IDictionary<string, object?>? parameters = null,
        Action<Bunit.TestDoubles.BunitPersistentComponentState>? prerendered = null, string? locale = null)
        where TComponent : IComponent
    {
        var principal = email is null ? new ClaimsPrincipal(new ClaimsIdentity()) : await PrincipalAsync(email);
        locale ??= principal.FindFirst(ScaiClaims.Locale)?.Value ?? PortalCulture.Default;
        var culture = new UserCulture(new CultureInfo(locale), new CultureInfo(PortalCulture.LanguageOf(locale)), PortalCulture.ZoneOf(principal.FindFirst(ScaiClaims.ZoneInfo)?.Value));
        culture.Apply();

        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(20);
        AddAppServices(context.Services);
        context.Services.AddMudServices();
        context.Services.AddSingleton<AuthenticationStateProvider>(new FixedAuthenticationStateProvider(principal));
        // The same "scope:action" policies as AuthSetup.AddScaiAuth registers for the web host.
        context.Services.AddAuthorizationCore(o =>
        {
            foreach (var permission in Permissions.All)
            {
                o.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireAssertion(ctx => ctx.User.ToActor().Can(permission)));
            }
        });
        // bunit registers placeholder authorization services; the real ones evaluate the policies above.
        context.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationService, Microsoft.AspNetCore.Authorization.DefaultAuthorizationService>();
        context.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationPolicyProvider, Microsoft.AspNetCore.Authorization.DefaultAuthorizationPolicyProvider>();
        context.Services.AddScoped<PortalActor>();
        var persisted = context.AddBunitPersistentComponentState();
        prerendered?.Invoke(persisted);
        context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));

        RenderFragment child = b =>
        {
            b.OpenComponent(0, typeof(TComponent));
            foreach (var (name, value) in parameters ?? new Dictionary<string, object?>())
            {
                b.AddAttribute(1, name, value);
            }

            b.CloseComponent();
        };
        var host = context.Render<TestHost>(p => p.Add(h => h.ChildContent, child));
        var view = new PortalView<TComponent>(context, host, culture, persisted);
        view.WaitUntilLoaded();
        return view;
    }

    /// <summary>Renders like <see cref="OpenAsync"/> and returns the markup once loaded (the component and its dialogs), HTML-decoded (text as a user reads it).</summary>
    public async Task<string> RenderAsync<TComponent>(string email, IDictionary<string, object?>? parameters = null)
        where TComponent : IComponent
    {
        await using var view = await OpenAsync<TComponent>(email, parameters);
        return System.Net.WebUtility.HtmlDecode(view.Markup);
    }

    private void AddAppServices(IServiceCollection services)
    {
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(_configuration);
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Development", ApplicationName = "ScaiControl.Web" });
        services.AddScaiInfrastructure(_configuration);
        services.AddPortalCulture();
    }

    private async Task<ClaimsPrincipal> PrincipalAsync(string email)
    {
        var tenancy = _services.GetRequiredService<TenancyService>();
        var user = await tenancy.FindUserAsync(email) ?? throw new InvalidOperationException($"No demo user {email}.");
        var (organisation, country) = await tenancy.SignInProfileAsync(user);
        var (locale, zone) = PortalCulture.ForCountry(country);
        return new ClaimsPrincipal(new ClaimsIdentity(ScaiClaims.For(user, organisation, locale, zone), "test", ScaiClaims.Name, ScaiClaims.Roles));
    }

    private sealed class FixedAuthenticationStateProvider(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }

    /// <summary>What the layout gives every page: the authentication state and MudBlazor's providers.</summary>
    public sealed class TestHost : ComponentBase
    {
        /// <summary>The component under test.</summary>
        [Parameter] public RenderFragment? ChildContent { get; set; }

        /// <inheritdoc/>
        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenComponent<CascadingAuthenticationState>(0);
            builder.AddAttribute(1, nameof(CascadingAuthenticationState.ChildContent), (RenderFragment)(b =>
            {
                b.OpenComponent<MudPopoverProvider>(2);
                b.CloseComponent();
                b.OpenComponent<MudDialogProvider>(3);
                b.CloseComponent();
                b.OpenComponent<MudSnackbarProvider>(4);
                b.CloseComponent();
                b.AddContent(5, ChildContent);
            }));
            builder.CloseComponent();
        }
    }
}

/// <summary>A rendered component under test with the helpers the tests drive it with.</summary>
public sealed class PortalView<TComponent>(BunitContext context, IRenderedComponent<PortalRenderFixture.TestHost> host, UserCulture culture, Bunit.TestDoubles.BunitPersistentComponentState persisted) : IAsyncDisposable
    where TComponent : IComponent
{
    /// <summary>The persisted component state (what a prerender hands to the interactive render).</summary>
    public Bunit.TestDoubles.BunitPersistentComponentState Persisted => persisted;

    /// <summary>The host (the component, its dialogs and snackbars).</summary>
    public IRenderedComponent<PortalRenderFixture.TestHost> Host => host;

    /// <summary>The bunit context (services, JS interop).</summary>
    public BunitContext Context => context;

    /// <summary>The component under test.</summary>
    public IRenderedComponent<TComponent> Component => host.FindComponent<TComponent>();

    /// <summary>
    /// The last streamed download the page finished (the list's CSV export): its file name, the text of its parts
    /// joined, and how many parts (pages) it was sent in. Null while none has ended.
    /// </summary>
    public (string FileName, string Text, int Parts)? Downloaded()
    {
        var calls = context.JSInterop.Invocations.ToList();
        var end = calls.LastOrDefault(i => i.Identifier == "scaiShell.downloadEnd");
        if (end.Identifier is null)
        {
            return null;
        }

        var id = (string)end.Arguments[0]!;
        var parts = calls.Where(i => i.Identifier == "scaiShell.downloadPart" && (string)i.Arguments[0]! == id).Select(i => (string)i.Arguments[1]!).ToList();
        return ((string)end.Arguments[1]!, string.Concat(parts), parts.Count);
    }

    /// <summary>The current markup of the component, its dialogs and snackbars.</summary>
    public string Markup => host.Markup;

    /// <summary>The element with this data-testid (throws when absent).</summary>
    public AngleSharp.Dom.IElement ByTestId(string testId)
    {
        culture.Apply();
        return host.Find($"[data-testid='{testId}']");
    }

    /// <summary>True when an element with this data-testid is rendered.</summary>
    public bool Has(string testId)
    {
        culture.Apply();
        return host.FindAll($"[data-testid='{testId}']").Count > 0;
    }

    /// <summary>Waits until no loading indicator is shown.</summary>
    public void WaitUntilLoaded()
    {
        culture.Apply();
        host.WaitForState(() => host.FindAll("[data-testid='loading']").Count == 0);
    }

    /// <summary>Waits until <paramref name="assertion"/> passes on a render (re-checked after each render).</summary>
    public void WaitFor(Action assertion)
    {
        culture.Apply();
        host.WaitForAssertion(assertion);
    }

    /// <summary>Waits until an element with this data-testid is rendered and returns it.</summary>
    public AngleSharp.Dom.IElement WaitForTestId(string testId)
    {
        culture.Apply();
        return host.WaitForElement($"[data-testid='{testId}']");
    }

    /// <summary>Clicks the element with this data-testid (a button, or the element inside a MudButton).</summary>
    public void Click(string testId)
    {
        culture.Apply();
        ByTestId(testId).Click();
    }

    /// <summary>Types into the input with this data-testid and leaves it (input, then change or blur as the input listens for).</summary>
    public void Fill(string testId, string value)
    {
        culture.Apply();
        var typed = false;
        try
        {
            // Immediate MudBlazor inputs listen to input (and commit on blur); the others to change.
            ByTestId(testId).Input(value);
            typed = true;
        }
        catch (MissingEventHandlerException)
        {
            // No input listener: the value is committed by change below.
        }

        try
        {
            ByTestId(testId).Change(value);
        }
        catch (MissingEventHandlerException) when (typed)
        {
            // committed by the blur below
        }

        if (typed)
        {
            // Leaving the field commits a debounced input at once (as a user tabbing away does), so a test never
            // depends on the debounce timer firing on a loaded machine.
            try
            {
                ByTestId(testId).Blur();
            }
            catch (MissingEventHandlerException)
            {
                // an input without a blur listener commits on input/change
            }
        }
    }

    /// <summary>The text of the element with this data-testid, trimmed.</summary>
    public string Text(string testId)
    {
        culture.Apply();
        return ByTestId(testId).TextContent.Trim();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => context.DisposeAsync();
}

/// <summary>
/// The signed-in user's formatting culture, text language and time zone, as the portal's middleware sets them for a
/// request. Applied by the helpers before each render and event, because a culture set inside an async method does not
/// flow back to the test that awaited it.
/// </summary>
public sealed record UserCulture(CultureInfo Culture, CultureInfo UiCulture, TimeZoneInfo Zone)
{
    /// <summary>Sets the culture, UI culture and <see cref="Ui.Zone"/> of the calling flow.</summary>
    public void Apply()
    {
        CultureInfo.CurrentCulture = Culture;
        CultureInfo.CurrentUICulture = UiCulture;
        Ui.Zone = Zone;
    }
}
