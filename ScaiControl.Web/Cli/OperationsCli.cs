using System.CommandLine;
using ScaiControl.Domain.Common;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Registry;
using ScaiControl.Infrastructure.Templates;
using ScaiControl.Infrastructure.Webhooks;
using ScaiControl.Web.Api;

namespace ScaiControl.Web.Cli;

/// <summary>
/// The remaining admin-UI actions as `admin` commands (issue 17): billing runs (list, show), templates (list, publish),
/// the service registry (list, show, approve, suspend, retire), users (list, show, assign-role) and webhook secret
/// rotation. Thin calls into the services the portal and the REST API call, as the system actor; destructive commands
/// take --dry-run (the same checks, nothing saved). Exit codes: see <see cref="ExitCodes"/>.
/// </summary>
public static class OperationsCli
{
    /// <summary>A user as `users list|show --json` prints it: roles from ScaiKey, local role assignments and groups.</summary>
    public sealed record UserDto(string Id, string Email, string DisplayName, string PartnerId, string? TenantId, IReadOnlyList<string> Roles,
        IReadOnlyList<AssignmentView> Assignments, IReadOnlyList<string> Groups, DateTimeOffset CreatedAt)
    {
        /// <summary>From the identity service's view.</summary>
        public static UserDto From(UserView v) => new(v.User.Id, v.User.Email, v.User.DisplayName, v.User.PartnerId, v.User.TenantId,
            v.User.Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries), v.Assignments, v.Groups.Select(g => g.Value).ToArray(), v.User.CreatedAt);
    }

    /// <summary>What a dry run prints with --json: the action, and the object as it would be.</summary>
    public sealed record DryRunDto<T>(bool DryRun, string Action, T Result);

    private static Actor Cli => Actor.System("cli");

    /// <summary>`billing runs` and `billing run show` (added to the billing group by <see cref="AdminCli"/>).</summary>
    public static Command BillingRuns(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var runs = new Command("runs", "List billing runs, newest first: id, period, status, tenants, invoices. Example: admin billing runs --json") { json };
        runs.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var service = sp.GetRequiredService<BillingRunService>();
            var items = (await CliOutput.AllPagesAsync((cursor, limit) => service.ListAsync(Cli, cursor, limit, ct))).Select(BillingRunDto.From).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<BillingRunDto>(items, null));
                return 0;
            }

            await CliOutput.WriteTableAsync(stdout, ["ID", "PERIOD", "STATUS", "TENANTS", "CREATED", "FINALISED", "PROBLEMS", "STARTED"],
                items.Select(r => new[]
                {
                    r.Id, r.Period, r.Status, $"{r.TenantsProcessed}/{r.TenantsTotal}", r.InvoicesCreated.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    r.InvoicesFinalised.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Errors.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), CliOutput.Instant(r.StartedAt),
                }), "billing run");
            return 0;
        }));
        return runs;
    }

    /// <summary>`billing run show ID`.</summary>
    public static Command BillingRunShow(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var id = new Argument<string>("id") { Description = "The billing run id (brn_...)." };
        var show = new Command("show", "Show one billing run: status, progress, invoices and its problems. Example: admin billing run show brn_...") { id, json };
        show.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var run = BillingRunDto.From(await sp.GetRequiredService<BillingRunService>().GetAsync(Cli, parse.GetValue(id)!, ct));
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, run);
                return 0;
            }

            await CliOutput.WriteFieldsAsync(stdout,
            [
                ("id", run.Id), ("period", run.Period), ("status", run.Status), ("tenants", $"{run.TenantsProcessed} of {run.TenantsTotal}"),
                ("invoices", $"{run.InvoicesCreated} created, {run.InvoicesFinalised} finalised"), ("requested by", run.RequestedBy), ("created", CliOutput.Instant(run.CreatedAt)),
                ("started", CliOutput.Instant(run.StartedAt)), ("completed", CliOutput.Instant(run.CompletedAt)), ("problems", run.Errors.Count == 0 ? "none" : string.Join("; ", run.Errors)),
            ]);
            return 0;
        }));
        return show;
    }

    /// <summary>`templates list` and `templates publish` (added to the templates group by <see cref="AdminCli"/>).</summary>
    public static IEnumerable<Command> Templates(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var status = new Option<string?>("--status") { Description = "Only draft or published versions." };
        var partner = new Option<string?>("--partner") { Description = "Only this partner's overrides (ptr_...)." };
        var list = new Command("list", "List template versions: id, key (name, document type, language, partner), version, status, in force. Example: admin templates list --status draft") { status, partner, json };
        list.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var service = sp.GetRequiredService<InvoiceTemplateService>();
            var filter = new TemplateFilter(PartnerId: parse.GetValue(partner), Status: parse.GetValue(status));
            var items = (await CliOutput.AllPagesAsync((cursor, limit) => service.ListAsync(Cli, filter, cursor, limit, ct))).Select(i => TemplateDto.From(i, withBody: false)).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<TemplateDto>(items, null));
                return 0;
            }

            await CliOutput.WriteTableAsync(stdout, ["ID", "NAME", "TYPE", "LANGUAGE", "PARTNER", "VERSION", "STATUS", "IN FORCE"],
                items.Select(t => new[] { t.Id, t.Name, t.DocumentType, t.Language, t.PartnerId ?? "default", t.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Status, t.InForce ? "yes" : "no" }),
                "template version");
            return 0;
        }));

        var id = new Argument<string>("id") { Description = "The template version id (tpl_...)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Compile and render the draft against its sample document and check it may be published; change nothing." };
        var publish = new Command("publish", "Publish a draft after it compiles and renders its sample document (exit 2 with the line when it does not). Example: admin templates publish tpl_... --dry-run") { id, dryRun, json };
        publish.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var service = sp.GetRequiredService<InvoiceTemplateService>();
            var dry = parse.GetValue(dryRun);
            var template = await service.PublishAsync(Cli, parse.GetValue(id)!, dry, ct);
            var dto = dry ? TemplateDto.From(new TemplateListItem(template, true), withBody: false) : TemplateDto.From(await service.GetAsync(Cli, template.Id, ct), withBody: false);
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, dry ? new DryRunDto<TemplateDto>(true, "publish", dto) : dto);
                return 0;
            }

            await stdout.WriteLineAsync(dry
                ? $"Dry run: template {dto.Id} ({dto.Name}/{dto.DocumentType}/{dto.Language} v{dto.Version}) compiles, renders and would be published; nothing was changed."
                : $"Published template {dto.Id} ({dto.Name}/{dto.DocumentType}/{dto.Language} v{dto.Version}); in force: {(dto.InForce ? "yes" : "no")}.");
            return 0;
        }));
        return [list, publish];
    }

    /// <summary>The `registry` command group.</summary>
    public static Command Registry(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var registration = new Option<string?>("--status") { Description = "Only this registration status: pending, approved, suspended, retired." };
        var health = new Option<string?>("--health") { Description = "Only this health status: unknown, healthy, degraded, unhealthy." };
        var list = new Command("list", "List registered services: app id, name, partner, registration, health, last heartbeat. Example: admin registry list --status pending") { registration, health, json };
        list.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var service = sp.GetRequiredService<RegistryService>();
            var items = (await CliOutput.AllPagesAsync((cursor, limit) => service.ListAsync(Cli, parse.GetValue(registration), parse.GetValue(health), cursor, limit, ct)))
                .Select(RegisteredServiceDto.From).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<RegisteredServiceDto>(items, null));
                return 0;
            }

            await CliOutput.WriteTableAsync(stdout, ["APP ID", "NAME", "PARTNER", "REGISTRATION", "HEALTH", "LAST HEARTBEAT"],
                items.Select(s => new[] { s.AppId, s.Name, s.PartnerId, s.RegistrationStatus, s.HealthStatus, CliOutput.Instant(s.LastHeartbeatAt) }), "registered service");
            return 0;
        }));

        var appId = new Argument<string>("app-id") { Description = "The service's app_id." };
        var show = new Command("show", "Show one registered service with the actions its registration allows. Example: admin registry show scaicrm") { appId, json };
        show.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var view = await sp.GetRequiredService<RegistryService>().GetAsync(Cli, parse.GetValue(appId)!, ct);
            var dto = RegisteredServiceDto.From(view.Service);
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, dto);
                return 0;
            }

            await WriteRegisteredAsync(stdout, dto);
            return 0;
        }));

        var commands = new List<Command> { list, show };
        foreach (var (action, text) in new[]
                 {
                     ("approve", "Approve a pending (or suspended) registration: it gets provisioning calls."),
                     ("suspend", "Suspend an approved registration: no provisioning calls until approved again."),
                     ("retire", "Retire a registration for good."),
                 })
        {
            var dryRun = new Option<bool>("--dry-run") { Description = $"Check that the registration may be {(action == "approve" ? "approved" : action + "d")}; change nothing." };
            var command = new Command(action, $"{text} A status that forbids it is a conflict (exit 4). Example: admin registry {action} scaicrm --dry-run") { appId, dryRun, json };
            command.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
            {
                var dry = parse.GetValue(dryRun);
                var registry = sp.GetRequiredService<RegistryService>();
                var before = (await registry.GetAsync(Cli, parse.GetValue(appId)!, ct)).Service.RegistrationStatus;
                var dto = RegisteredServiceDto.From(await registry.ChangeRegistrationAsync(Cli, parse.GetValue(appId)!, action, dry, ct));
                if (parse.GetValue(json))
                {
                    await CliOutput.WriteJsonAsync(stdout, dry ? new DryRunDto<RegisteredServiceDto>(true, action, dto) : dto);
                    return 0;
                }

                var from = Domain.Registry.RegisteredService.WireName(before);
                await stdout.WriteLineAsync(dry
                    ? $"Dry run: {action} would move {dto.AppId} from {from} to {dto.RegistrationStatus}; nothing was changed."
                    : $"{action}: {dto.AppId} moved from {from} to {dto.RegistrationStatus}.");
                return 0;
            }));
            commands.Add(command);
        }

        var group = new Command("registry", "The service registry: registrations and their health.");
        commands.ForEach(group.Subcommands.Add);
        return group;
    }

    private static Task WriteRegisteredAsync(TextWriter stdout, RegisteredServiceDto s) => CliOutput.WriteFieldsAsync(stdout,
    [
        ("app id", s.AppId), ("name", s.Name), ("slug", s.Slug), ("partner", s.PartnerId), ("base url", s.BaseUrl), ("health check", s.HealthCheckUrl),
        ("version", s.Version), ("registration", s.RegistrationStatus), ("allowed actions", s.AllowedActions.Count == 0 ? "none" : string.Join(", ", s.AllowedActions)),
        ("health", s.HealthReason is null ? s.HealthStatus : $"{s.HealthStatus} ({s.HealthReason})"), ("last heartbeat", CliOutput.Instant(s.LastHeartbeatAt)),
        ("capabilities", s.Capabilities.Count == 0 ? "none" : string.Join(", ", s.Capabilities)),
    ]);

    /// <summary>The `users` command group.</summary>
    public static Command Users(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var search = new Option<string?>("--search") { Description = "Only users whose e-mail or name contains this (case-insensitive)." };
        var list = new Command("list", "List users: id, e-mail, name, partner, tenant, roles. Example: admin users list --search acme") { search, json };
        list.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var service = sp.GetRequiredService<IdentityAdminService>();
            var items = (await CliOutput.AllPagesAsync((cursor, limit) => service.UsersAsync(Cli, parse.GetValue(search), cursor, limit, ct))).Select(UserDto.From).ToArray();
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new ListResponse<UserDto>(items, null));
                return 0;
            }

            await CliOutput.WriteTableAsync(stdout, ["ID", "E-MAIL", "NAME", "PARTNER", "TENANT", "ROLES"],
                items.Select(u => new[] { u.Id, u.Email, u.DisplayName, u.PartnerId, u.TenantId, string.Join(", ", u.Roles.Concat(u.Assignments.Select(a => a.Role + " (local)"))) }), "user");
            return 0;
        }));

        var id = new Argument<string>("id") { Description = "The user id (usr_...)." };
        var show = new Command("show", "Show one user with its ScaiKey roles, local role assignments and groups. Example: admin users show usr_...") { id, json };
        show.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var user = UserDto.From(await sp.GetRequiredService<IdentityAdminService>().UserAsync(Cli, parse.GetValue(id)!, ct));
            await WriteUserAsync(stdout, user, parse.GetValue(json));
            return 0;
        }));

        var role = new Option<string>("--role") { Description = "The role to assign locally, e.g. billing_viewer.", Required = true };
        var assign = new Command("assign-role", "Assign a role to a user locally (beside its ScaiKey roles); a role it holds changes nothing. Example: admin users assign-role usr_... --role billing_viewer") { id, role, json };
        assign.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var identity = sp.GetRequiredService<IdentityAdminService>();
            var assignment = await identity.AssignToUserAsync(Cli, parse.GetValue(id)!, parse.GetValue(role)!, ct);
            var user = UserDto.From(await identity.UserAsync(Cli, parse.GetValue(id)!, ct));
            if (!parse.GetValue(json))
            {
                await stdout.WriteLineAsync($"Assigned {assignment.Role} to {user.Email} ({assignment.Id}).");
            }

            await WriteUserAsync(stdout, user, parse.GetValue(json));
            return 0;
        }));

        return new Command("users", "Users and their roles.") { list, show, assign };
    }

    private static async Task WriteUserAsync(TextWriter stdout, UserDto u, bool json)
    {
        if (json)
        {
            await CliOutput.WriteJsonAsync(stdout, u);
            return;
        }

        await CliOutput.WriteFieldsAsync(stdout,
        [
            ("id", u.Id), ("e-mail", u.Email), ("name", u.DisplayName), ("partner", u.PartnerId), ("tenant", u.TenantId), ("scaikey roles", u.Roles.Count == 0 ? "none" : string.Join(", ", u.Roles)),
            ("local roles", u.Assignments.Count == 0 ? "none" : string.Join(", ", u.Assignments.Select(a => $"{a.Role} ({a.Id})"))), ("groups", u.Groups.Count == 0 ? "none" : string.Join(", ", u.Groups)),
            ("created", CliOutput.Instant(u.CreatedAt)),
        ]);
    }

    /// <summary>`webhooks rotate-secret` (added to the webhooks group by <see cref="WebhookCli"/>).</summary>
    public static Command RotateSecret(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var id = new Argument<string>("id") { Description = "The webhook subscriber id (whs_...)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the subscriber exists and say what would happen; no new secret, nothing changed." };
        var rotate = new Command("rotate-secret", "Give a subscriber a new signing secret (printed once); the old one keeps signing too during the overlap. Example: admin webhooks rotate-secret whs_... --dry-run") { id, dryRun };
        rotate.SetAction((parse, ct) => CatalogCli.Run(overrides, environment, stderr, ct, async sp =>
        {
            var service = sp.GetRequiredService<WebhookSubscriptionService>();
            if (parse.GetValue(dryRun))
            {
                var s = await service.GetAsync(Cli, parse.GetValue(id)!, ct);
                await stdout.WriteLineAsync($"Dry run: {s.Id} ({s.Url}) would get a new secret, the current one signing beside it during the overlap; nothing was changed.");
                return 0;
            }

            var (subscriber, secret) = await service.RotateSecretAsync(Cli, parse.GetValue(id)!, ct);
            await stdout.WriteLineAsync($"Rotated the secret of {subscriber.Id}; the previous one keeps signing until {CliOutput.Instant(subscriber.PreviousSecretExpiresAt)}.");
            await stdout.WriteLineAsync($"secret: {secret}");
            return 0;
        }));
        return rotate;
    }
}
