using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ScaiControl.Tests.Web.Browser;

/// <summary>
/// Visits every page of the app's routes (the @page RouteAttributes of the Web assembly, not a hand list) that the
/// navigation offers each demo role, at 1366 and at 390 px wide, and fails on a console error, an uncaught page
/// error, a failed or 4xx/5xx same-origin request, a circuit error or a page that scrolls sideways. Every navigation
/// link must be a route of the app. From the pages it visits it also follows one link of each detail route (a route
/// with a parameter: an invoice, a billing run, a subscription's history or plan change, a template, a webhook
/// subscriber, which the operator adds through the portal first, an identity user) and checks that page the same way; on a phone the account button shows who is signed in.
/// With SCAI_PORTAL_SCREENSHOTS set to a folder it writes one screenshot per page,
/// there (desktop: operator and tenant; phone: tenant); docs/portal/ holds the committed ones
/// (SCAI_PORTAL_SCREENSHOTS=$PWD/docs/portal scripts/test.sh --filter "FullyQualifiedName~PortalCrawlTests").
/// </summary>
public sealed class PortalCrawlTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly (string Role, string Email)[] Roles =
    [
        ("operator", "ops@scailabs.example"), ("partner-admin", "lars@nordiccloud-se.example"), ("tenant", "anna@acme-nl.example"),
    ];

    private static readonly (string Name, int Width, int Height)[] Widths = [("desktop", 1366, 900), ("phone", 390, 844)];

    private PortalApp? _app;
    private HeadlessChromium? _chromium;

    /// <inheritdoc/>
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>The app's parameterless routes ("/catalog", "/admin/tenants"...), from the components' RouteAttributes.</summary>
    public static IReadOnlySet<string> Routes() => typeof(Program).Assembly.GetTypes()
        .Where(t => typeof(IComponent).IsAssignableFrom(t))
        .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
        .Select(r => r.Template)
        .Where(t => !t.Contains('{', StringComparison.Ordinal))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The app's detail routes ("/invoices/{Id}"...) as a matcher of a path each, from the components' RouteAttributes.</summary>
    public static IReadOnlyList<(string Template, System.Text.RegularExpressions.Regex Path)> DetailRoutes() => typeof(Program).Assembly.GetTypes()
        .Where(t => typeof(IComponent).IsAssignableFrom(t))
        .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
        .Select(r => r.Template)
        .Where(t => t.Contains('{', StringComparison.Ordinal))
        .Distinct(StringComparer.Ordinal)
        .Select(t => (t, new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Replace(t, @"\{[^}]+\}", "[^/]+") + "$")))
        .ToList();

    [ChromiumFact]
    public async Task EveryNavigationPage_ForEveryRole_AtDesktopAndPhoneWidth_HasNoErrorAndNoSidewaysScroll()
    {
        var routes = Routes();
        var details = DetailRoutes();
        Assert.Contains("/admin/subscriptions", routes);
        Assert.Contains(details, d => d.Template == "/invoices/{Id}");
        _app = await PortalApp.StartAsync(ChromiumFactAttribute.ChromiumPath, TimeSpan.FromSeconds(120));
        _chromium = await HeadlessChromium.LaunchAsync();
        var shots = Environment.GetEnvironmentVariable("SCAI_PORTAL_SCREENSHOTS");
        var problems = new List<string>();
        var visited = 0;
        var visitedPaths = new HashSet<string>(StringComparer.Ordinal);
        var detailKinds = new HashSet<string>(StringComparer.Ordinal);
        await AddWebhookSubscriberAsync();

        foreach (var (role, email) in Roles)
        {
            foreach (var (widthName, width, height) in Widths)
            {
                // Screenshots for the docs are taken at half the pixel density (small PNGs); the CSS viewport is the same.
                var context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions
                {
                    BaseURL = _app.BaseAddress.ToString(), ViewportSize = new() { Width = width, Height = height }, DeviceScaleFactor = string.IsNullOrEmpty(shots) ? 1 : 0.5f,
                });
                var page = await context.NewPageAsync();
                page.SetDefaultTimeout(30_000);
                var where = "sign-in";
                page.Console += (_, m) =>
                {
                    if (m.Type == "error")
                    {
                        problems.Add($"{role} {widthName} {where}: console error {m.Text}");
                    }
                };
                page.PageError += (_, e) => problems.Add($"{role} {widthName} {where}: page error {e}");
                page.RequestFailed += (_, r) =>
                {
                    if (r.Url.StartsWith(_app.BaseAddress.ToString(), StringComparison.Ordinal))
                    {
                        problems.Add($"{role} {widthName} {where}: request failed {r.Url} ({r.Failure})");
                    }
                };
                page.Response += (_, r) =>
                {
                    if (r.Status >= 400 && r.Url.StartsWith(_app.BaseAddress.ToString(), StringComparison.Ordinal))
                    {
                        problems.Add($"{role} {widthName} {where}: HTTP {r.Status} for {r.Url}");
                    }
                };

                await page.GotoAsync("sign-in");
                await page.ClickAsync($"[data-testid='sign-in-{email}']");
                await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveAttributeAsync("data-email", email);
                await page.Locator("h1[data-interactive]").WaitForAsync();

                if (width < 600)
                {
                    // The app bar hides the name on a phone; the account button shows it.
                    await Assertions.Expect(page.GetByTestId("signed-in-as")).ToBeHiddenAsync();
                    await page.GetByTestId("user-menu").Locator("button").First.ClickAsync();
                    await Assertions.Expect(page.GetByTestId("user-menu-who")).ToContainTextAsync(email);
                    await page.Keyboard.PressAsync("Escape");
                    await page.Mouse.ClickAsync(5, 300);
                    await Assertions.Expect(page.GetByTestId("user-menu-who")).ToBeHiddenAsync();
                }

                // The drawer's links (a temporary drawer on the phone: its links are in the page once opened).
                if (width < 960)
                {
                    await page.GetByTestId("nav-toggle").ClickAsync();
                }

                var links = await page.Locator("[data-testid='nav'] a[href]").EvaluateAllAsync<string[]>("els => els.map(a => new URL(a.href).pathname)");
                Assert.NotEmpty(links);
                foreach (var link in links.Distinct())
                {
                    Assert.True(routes.Contains(link), $"{role}: the navigation links to {link}, which is not a route of the app.");
                }

                // The navigation pages first, then one page of each detail route linked from them (and from those).
                // Pages linked from those without a parameter (e.g. the identity pages' tabs) are visited too.
                var queue = new Queue<string>(links.Distinct());
                var seenPages = new HashSet<string>(links, StringComparer.Ordinal);
                var seenDetails = new HashSet<string>(StringComparer.Ordinal);
                while (queue.TryDequeue(out var path))
                {
                    where = path;
                    await page.GotoAsync(path.TrimStart('/'));
                    await page.Locator("h1[data-interactive]").WaitForAsync();
                    await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                    await Assertions.Expect(page.GetByTestId("loading")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
                    var sideways = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
                    if (sideways > 1)
                    {
                        problems.Add($"{role} {widthName} {path}: scrolls sideways by {sideways}px");
                    }

                    if (await page.Locator("#blazor-error-ui:visible, .components-reconnect-failed").CountAsync() > 0)
                    {
                        problems.Add($"{role} {widthName} {path}: circuit error shown");
                    }

                    visited++;
                    visitedPaths.Add(details.FirstOrDefault(d => d.Path.IsMatch(path)).Template ?? path);
                    var hrefs = await page.Locator(".mud-main-content a[href]").EvaluateAllAsync<string[]>(
                        "els => els.map(a => new URL(a.href)).filter(u => u.origin === location.origin).map(u => u.pathname)");
                    foreach (var href in hrefs.Distinct())
                    {
                        if (details.FirstOrDefault(d => d.Path.IsMatch(href)) is { Template: { } kind } && seenDetails.Add(kind))
                        {
                            queue.Enqueue(href);
                            detailKinds.Add(kind);
                        }
                        else if (routes.Contains(href) && seenPages.Add(href))
                        {
                            queue.Enqueue(href);
                        }
                    }

                    // The docs show every page on the desktop for the operator and a tenant, and the tenant's pages on a phone.
                    if (!string.IsNullOrEmpty(shots) && (widthName == "desktop" ? role != "partner-admin" : role == "tenant"))
                    {
                        Directory.CreateDirectory(shots);
                        var kind = details.FirstOrDefault(d => d.Path.IsMatch(path)).Template;
                        var slug = path == "/" ? "home" : (kind ?? path).Trim('/').Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal).Replace('/', '-').ToLowerInvariant();
                        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"{role}-{widthName}-{slug}.png") });
                    }
                }

                await context.CloseAsync();
            }
        }

        output.WriteLine($"visited {visited} pages");
        output.WriteLine($"pages: {string.Join(", ", visitedPaths.Order(StringComparer.Ordinal))}");
        output.WriteLine($"detail routes followed: {string.Join(", ", detailKinds.Order(StringComparer.Ordinal))}");
        // The demo data links each of these from a list page (the webhook subscriber is the one added above).
        foreach (var tab in new[] { "/admin/identity/api-keys", "/admin/identity/groups", "/admin/identity/sync-runs" })
        {
            Assert.Contains(tab, visitedPaths); // reached through the identity pages' tabs, not the navigation
        }

        foreach (var kind in new[] { "/invoices/{Id}", "/admin/billing-runs/{Id}", "/admin/templates/{Id}", "/admin/subscriptions/{Id}/history", "/subscriptions/{Id}/change-plan", "/admin/webhook-subscriptions/{Id}", "/admin/identity/users/{Id}" })
        {
            Assert.Contains(kind, detailKinds);
        }
        foreach (var p in problems)
        {
            output.WriteLine(p);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\napp log:\n" + _app.Log);
    }

    /// <summary>
    /// The demo data has no webhook subscriber; the operator adds one through the portal, as a user would, so the
    /// crawl reaches the subscriber's page. Its URL is a closed port on this machine (deliveries fail, quietly).
    /// </summary>
    private async Task AddWebhookSubscriberAsync()
    {
        var context = await _chromium!.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _app!.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync("sign-in");
        await page.ClickAsync("[data-testid='sign-in-ops@scailabs.example']");
        // Signed in once the shell names the operator (the sign-in cookie is set by then).
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveAttributeAsync("data-email", "ops@scailabs.example");
        await page.GotoAsync("admin/webhook-subscriptions");
        await page.Locator("h1[data-interactive]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 }); // the attribute appears once the page is interactive (a false bool renders no attribute)
        await page.GetByTestId("webhook-url").FillAsync("http://127.0.0.1:20001/crawl-hooks");
        await page.GetByTestId("webhook-topics").FillAsync("invoice.*");
        await page.GetByTestId("webhook-topics").BlurAsync();
        await page.GetByTestId("webhook-create-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("webhook-secret")).ToBeVisibleAsync();
        await context.CloseAsync();
    }
}
