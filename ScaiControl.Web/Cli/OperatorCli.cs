using System.CommandLine;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Api;
using ScaiControl.Web.Mcp.Tools;

namespace ScaiControl.Web.Cli;

/// <summary>
/// `admin partners list`, `admin tenants list [--partner]` and `admin subscriptions list|show|cancel|suspend|resume|change-plan`
/// (issue 17): thin calls into <see cref="TenancyService"/>, <see cref="SubscriptionService"/> and
/// <see cref="PlanChangeService"/>, the services the REST API and the MCP tools call, run as the system actor. Reads
/// print a table, or the REST API's JSON with --json. Exit codes: see <see cref="ExitCodes"/>.
/// </summary>
public static class OperatorCli
{
    /// <summary>A partner as `partners show --json` prints it: the partner and its seller configuration (null: none yet).</summary>
    public sealed record PartnerDetailDto(PartnerDto Partner, SellerDto? Seller);

    /// <summary>A tenant as `tenants show --json` prints it: the tenant and its billing profile (null: missing).</summary>
    public sealed record TenantDetailDto(TenantDto Tenant, BillingProfileDto? BillingProfile);

    private static Actor Cli => Actor.System("cli");

    /// <summary>The `partners` command group.</summary>
    public static Command Partners(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var list = new Command("list", "List every partner: id, name, whether it is the operator. Example: admin partners list --json") { json };
        list.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var partners = (await sp.GetRequiredService<TenancyService>().PartnersAsync(Cli, ct))
                .Select(PartnerDto.From).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<PartnerDto>(partners, null));
                return 0;
            }

            await CliOutput.WriteTableAsync(stdout, ["ID", "NAME", "OPERATOR", "CREATED"],
                partners.Select(p => new[] { p.Id, p.Name, p.IsOperator ? "yes" : "no", CliOutput.Instant(p.CreatedAt) }), "partner");
            return 0;
        }));
        var id = new Argument<string>("id") { Description = "The partner id (ptr_...)." };
        var show = new Command("show", "Show one partner and its seller configuration (BG-4). Example: admin partners show ptr_...") { id, json };
        show.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var tenancy = sp.GetRequiredService<TenancyService>();
            var partner = PartnerDto.From(await tenancy.GetPartnerAsync(Cli, parse.GetValue(id)!, ct));
            var seller = await tenancy.GetSellerAsync(Cli, partner.Id, ct) is { } c ? SellerDto.From(c) : null;
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new PartnerDetailDto(partner, seller));
                return 0;
            }

            await CliOutput.WriteFieldsAsync(stdout,
            [
                ("id", partner.Id), ("name", partner.Name), ("operator", partner.IsOperator ? "yes" : "no"), ("created", CliOutput.Instant(partner.CreatedAt)),
                ("seller", seller is null ? "none yet (PUT /api/v1/admin/partners/{id}/seller)" : $"{seller.LegalName}, {seller.City} {seller.Country}, VAT {seller.VatId}"),
                ("invoice prefix", seller?.InvoicePrefix), ("iban", seller?.Iban), ("oss mode", seller?.OssMode),
            ]);
            return 0;
        }));

        var name = new Option<string>("--name") { Description = "The partner's name (at most 200 characters).", Required = true };
        var create = new Command("create", "Create a reseller partner. Example: admin partners create --name \"Nordic Cloud AB\"") { name, json };
        create.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var partner = PartnerDto.From(await sp.GetRequiredService<TenancyService>().CreatePartnerAsync(Cli, parse.GetValue(name)!, ct));
            await (parse.GetValue(json) ? CliOutput.WriteJsonAsync(stdout, partner) : stdout.WriteLineAsync($"Created partner {partner.Name} ({partner.Id})."));
            return 0;
        }));
        var edit = new Command("edit", "Rename a partner. Example: admin partners edit ptr_... --name \"Nordic Cloud Group AB\"") { id, name, json };
        edit.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var partner = PartnerDto.From(await sp.GetRequiredService<TenancyService>().RenamePartnerAsync(Cli, parse.GetValue(id)!, parse.GetValue(name), ct));
            await (parse.GetValue(json) ? CliOutput.WriteJsonAsync(stdout, partner) : stdout.WriteLineAsync($"Renamed partner {partner.Id} to {partner.Name}."));
            return 0;
        }));

        return new Command("partners", "Partners (resellers and the operator).") { list, show, create, edit };
    }

    /// <summary>The `tenants` command group.</summary>
    public static Command Tenants(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var partner = new Option<string?>("--partner") { Description = "Only the tenants of this partner (ptr_...)." };
        var list = new Command("list", "List tenants: id, name, partner, billing profile and country. Example: admin tenants list --partner ptr_...") { partner, json };
        list.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var tenancy = sp.GetRequiredService<TenancyService>();
            var partnerId = parse.GetValue(partner);
            if (partnerId is not null && (await tenancy.PartnersAsync(Cli, ct)).All(p => p.Id != partnerId))
            {
                throw new NotFoundException("partner", partnerId);
            }

            var tenants = (await tenancy.TenantsAsync(Cli, ct)).Where(t => partnerId is null || t.Tenant.PartnerId == partnerId).Select(TenantDto.From).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<TenantDto>(tenants, null));
                return 0;
            }

            await CliOutput.WriteTableAsync(stdout, ["ID", "NAME", "PARTNER", "BILLING PROFILE", "COUNTRY"],
                tenants.Select(t => new[] { t.Id, t.Name, $"{t.PartnerName} ({t.PartnerId})", t.HasBillingProfile ? "yes" : "no", t.Country }), "tenant");
            return 0;
        }));
        var id = new Argument<string>("id") { Description = "The tenant id (tnt_...)." };
        var show = new Command("show", "Show one tenant with its partner and billing profile (buyer, BG-7). Example: admin tenants show tnt_...") { id, json };
        show.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var tenant = TenantDto.From(await sp.GetRequiredService<TenancyService>().GetTenantAsync(Cli, parse.GetValue(id)!, ct));
            var profile = await sp.GetRequiredService<Infrastructure.Billing.BillingProfileService>().GetAsync(Cli, tenant.Id, ct) is { } p ? BillingProfileDto.From(p) : null;
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new TenantDetailDto(tenant, profile));
                return 0;
            }

            await CliOutput.WriteFieldsAsync(stdout,
            [
                ("id", tenant.Id), ("name", tenant.Name), ("partner", $"{tenant.PartnerName} ({tenant.PartnerId})"), ("created", CliOutput.Instant(tenant.CreatedAt)),
                ("billing profile", profile is null ? "missing" : $"{profile.LegalName}, {profile.City} {profile.Country}"), ("vat id", profile?.VatId), ("e-mail", profile?.Email),
            ]);
            return 0;
        }));

        var name = new Option<string>("--name") { Description = "The tenant's name (at most 200 characters).", Required = true };
        var ofPartner = new Option<string>("--partner") { Description = "The tenant's partner (ptr_...).", Required = true };
        var create = new Command("create", "Create a tenant of a partner. Example: admin tenants create --partner ptr_... --name \"Polder Data B.V.\"") { ofPartner, name, json };
        create.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var tenancy = sp.GetRequiredService<TenancyService>();
            var created = await tenancy.CreateTenantAsync(Cli, parse.GetValue(ofPartner)!, parse.GetValue(name)!, ct);
            var tenant = TenantDto.From(await tenancy.GetTenantAsync(Cli, created.Id, ct));
            await (parse.GetValue(json) ? CliOutput.WriteJsonAsync(stdout, tenant) : stdout.WriteLineAsync($"Created tenant {tenant.Name} ({tenant.Id}) of {tenant.PartnerName}."));
            return 0;
        }));
        var edit = new Command("edit", "Rename a tenant. Example: admin tenants edit tnt_... --name \"Polder Data Holding B.V.\"") { id, name, json };
        edit.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var tenant = TenantDto.From(await sp.GetRequiredService<TenancyService>().RenameTenantAsync(Cli, parse.GetValue(id)!, parse.GetValue(name), ct));
            await (parse.GetValue(json) ? CliOutput.WriteJsonAsync(stdout, tenant) : stdout.WriteLineAsync($"Renamed tenant {tenant.Id} to {tenant.Name}."));
            return 0;
        }));

        return new Command("tenants", "Tenants (the billable customers).") { list, show, create, edit };
    }

    /// <summary>The `subscriptions` command group.</summary>
    public static Command Subscriptions(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's subscriptions (tnt_...)." };
        var status = new Option<string?>("--status") { Description = "Only this status: pending, trialing, active, past_due, cancelling, cancelled, expired, suspended." };
        var list = new Command("list", "List subscriptions: id, tenant, service, plan, status, rate, current period. Example: admin subscriptions list --tenant tnt_... --json") { tenant, status, json };
        list.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            var text = parse.GetValue(status);
            SubscriptionStatus? parsed = text is null ? null
                : SubscriptionStateMachine.ParseStatus(text) ?? throw new DomainValidationException("status", $"--status '{text}' is not a subscription status.");
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var service = sp.GetRequiredService<SubscriptionService>();
            var tenantId = parse.GetValue(tenant);
            var all = await CliOutput.AllPagesAsync((cursor, limit) => service.ListAsync(Cli, parsed, cursor, limit, ct));
            var items = all.Where(v => tenantId is null || v.Subscription.TenantId == tenantId).Select(SubscriptionDto.From).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<SubscriptionDto>(items, null));
                return 0;
            }

            await CliOutput.WriteTableAsync(stdout, ["ID", "TENANT", "SERVICE", "PLAN", "STATUS", "RATE", "PERIOD"],
                items.Select(s => new[] { s.Id, s.TenantName, s.ServiceSlug, s.PlanCode, s.Status, CliOutput.Money(s.Rate, s.Currency), $"{CliOutput.Instant(s.CurrentPeriodStart)} .. {CliOutput.Instant(s.CurrentPeriodEnd)}" }),
                "subscription");
            return 0;
        }));

        var id = new Argument<string>("id") { Description = "The subscription id (sub_...)." };
        var show = new Command("show", "Show one subscription with the actions its state allows. Example: admin subscriptions show sub_...") { id, json };
        show.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var dto = SubscriptionDto.From(await sp.GetRequiredService<SubscriptionService>().GetAsync(Cli, parse.GetValue(id)!, ct));
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, dto);
                return 0;
            }

            await WriteSubscriptionAsync(stdout, dto);
            return 0;
        }));

        var atPeriodEnd = new Option<bool>("--at-period-end") { Description = "Cancel at the end of the current period instead of now." };
        var reason = new Option<string?>("--reason") { Description = "Why (kept on the subscription)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Run the same checks and transition on a copy that is never saved; print the result." };
        var cancel = new Command("cancel", "Cancel a subscription now (or --at-period-end). Example: admin subscriptions cancel sub_... --dry-run") { id, atPeriodEnd, reason, dryRun, json };
        cancel.SetAction(async (parse, ct) => await Lifecycle(parse, parse.GetValue(atPeriodEnd) ? SubscriptionAction.ScheduleCancellation : SubscriptionAction.Cancel, parse.GetValue(reason), ct));
        var suspend = new Command("suspend", "Suspend a subscription (operator only). Example: admin subscriptions suspend sub_... --reason fraud") { id, reason, dryRun, json };
        suspend.SetAction(async (parse, ct) => await Lifecycle(parse, SubscriptionAction.Suspend, parse.GetValue(reason), ct));
        var resume = new Command("resume", "Resume a subscription: a suspended one is unsuspended, a scheduled cancellation is withdrawn. Example: admin subscriptions resume sub_...") { id, dryRun, json };
        resume.SetAction(async (parse, ct) => await Lifecycle(parse, null, null, ct));

        var plan = new Option<string>("--plan") { Description = "The target plan (pln_...).", Required = true };
        var effective = new Option<string?>("--effective") { Description = "now (default, prorated) or period_end." };
        var preview = new Option<bool>("--preview") { Description = "Show credit, charge, net, catch-up and total (cents, before VAT) and change nothing." };
        var changePlan = new Command("change-plan", "Move a subscription to another plan. Example: admin subscriptions change-plan sub_... --plan pln_... --preview") { id, plan, effective, preview, json };
        changePlan.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var outcome = PlanChangeDto.From(await sp.GetRequiredService<PlanChangeService>().ChangeAsync(Cli, parse.GetValue(id)!, parse.GetValue(plan), parse.GetValue(effective), parse.GetValue(preview), ct));
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, outcome);
                return 0;
            }

            await stdout.WriteLineAsync(outcome.Preview ? "Preview only; nothing was changed." : $"Changed {outcome.SubscriptionId} to {outcome.NewPlan.Code}.");
            await CliOutput.WriteFieldsAsync(stdout,
            [
                ("subscription", outcome.SubscriptionId), ("from", $"{outcome.OldPlan.Code} ({outcome.OldPlan.Id})"), ("to", $"{outcome.NewPlan.Code} ({outcome.NewPlan.Id})"),
                ("effective", $"{outcome.Effective} at {CliOutput.Instant(outcome.EffectiveAt)}"), ("rule", outcome.Rule),
                ("credit", CliOutput.Money(outcome.Credit, outcome.Currency)), ("charge", CliOutput.Money(outcome.Charge, outcome.Currency)),
                ("net", CliOutput.Money(outcome.Net, outcome.Currency)), ("catch-up periods", outcome.CatchUp.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("total", $"{CliOutput.Money(outcome.Total, outcome.Currency)} (before VAT)"),
            ]);
            return 0;
        }));

        return new Command("subscriptions", "Subscriptions and their lifecycle.") { list, show, cancel, suspend, resume, changePlan };

        // One lifecycle action (requested null: resume, which unsuspends a suspended subscription), or its dry run.
        Task<int> Lifecycle(ParseResult parse, SubscriptionAction? requested, string? why, CancellationToken ct) => AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var service = sp.GetRequiredService<SubscriptionService>();
            var subscriptionId = parse.GetValue(id)!;
            var before = await service.GetAsync(Cli, subscriptionId, ct);
            var action = requested ?? (before.Subscription.Status == SubscriptionStatus.Suspended ? SubscriptionAction.Unsuspend : SubscriptionAction.Resume);
            if (parse.GetValue(dryRun))
            {
                var after = SubscriptionDto.From(await service.DryRunAsync(Cli, subscriptionId, action, why, ct));
                if (parse.GetValue(json))
                {
                    await CliOutput.WriteJsonAsync(stdout, new SubscriptionDryRunDto(true, action.WireName(), before.Subscription.Status.WireName(), after));
                    return 0;
                }

                await stdout.WriteLineAsync($"Dry run: {action.WireName()} would move {subscriptionId} from {before.Subscription.Status.WireName()} to {after.Status}; nothing was changed.");
                return 0;
            }

            var done = SubscriptionDto.From(action switch
            {
                SubscriptionAction.Cancel => await service.CancelAsync(Cli, subscriptionId, false, why, ct),
                SubscriptionAction.ScheduleCancellation => await service.CancelAsync(Cli, subscriptionId, true, why, ct),
                SubscriptionAction.Resume => await service.ResumeAsync(Cli, subscriptionId, ct),
                SubscriptionAction.Suspend => await service.SuspendAsync(Cli, subscriptionId, why, ct),
                _ => await service.UnsuspendAsync(Cli, subscriptionId, ct),
            });
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, done);
                return 0;
            }

            await stdout.WriteLineAsync($"{action.WireName()}: {subscriptionId} moved from {before.Subscription.Status.WireName()} to {done.Status}.");
            return 0;
        });
    }

    private static Task WriteSubscriptionAsync(TextWriter stdout, SubscriptionDto s) => CliOutput.WriteFieldsAsync(stdout,
    [
        ("id", s.Id), ("tenant", $"{s.TenantName} ({s.TenantId})"), ("partner", s.PartnerId), ("service", $"{s.ServiceName} ({s.ServiceSlug})"),
        ("plan", $"{s.PlanName} ({s.PlanCode}, {s.PlanId})"), ("status", s.Status), ("rate", CliOutput.Money(s.Rate, s.Currency)),
        ("current period", $"{CliOutput.Instant(s.CurrentPeriodStart)} .. {CliOutput.Instant(s.CurrentPeriodEnd)}"), ("trial end", CliOutput.Instant(s.TrialEnd)),
        ("term end", CliOutput.Instant(s.TermEnd)), ("scheduled plan", s.ScheduledPlanId is null ? null : $"{s.ScheduledPlanId} at {CliOutput.Instant(s.ScheduledPlanAt)}"),
        ("cancelled at", CliOutput.Instant(s.CancelledAt)), ("cancellation reason", s.CancellationReason), ("pack", s.PackSubscriptionId),
        ("allowed actions", s.AllowedActions.Count == 0 ? "none" : string.Join(", ", s.AllowedActions)), ("created", CliOutput.Instant(s.CreatedAt)),
    ]);
}
