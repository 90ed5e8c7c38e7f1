namespace ScaiControl.Domain.Tenancy;

/// <summary>
/// Role bundles and the scopes they grant. Permissions are "scope:action" strings checked by named policies
/// (spec 001: require_permission("scope:action") with a super_admin bypass).
/// </summary>
public static class Roles
{
    /// <summary>The operator: every permission, across tenants through the audited operator path.</summary>
    public const string SuperAdmin = "super_admin";

    /// <summary>A reseller partner's administrator: manages its own tenants and invoices.</summary>
    public const string PartnerAdmin = "partner_admin";

    /// <summary>A tenant's administrator: subscribes, sees its invoices, edits its billing profile.</summary>
    public const string TenantAdmin = "tenant_admin";

    /// <summary>Platform operator staff: run billing, manage catalog, tenants, subscriptions and invoices of every partner, without the super_admin bypass.</summary>
    public const string Operator = "operator";

    /// <summary>Reads catalog, subscriptions, invoices and billing profiles; changes nothing.</summary>
    public const string BillingViewer = "billing_viewer";

    /// <summary>A registered service calling the registry and usage endpoints (service API keys, client-credentials tokens).</summary>
    public const string Service = "service";

    private static readonly Dictionary<string, string[]> Grants = new(StringComparer.Ordinal)
    {
        [SuperAdmin] = Permissions.All.ToArray(),
        [PartnerAdmin] =
        [
            Permissions.CatalogRead, Permissions.SubscriptionsRead, Permissions.SubscriptionsWrite, Permissions.InvoicesRead,
            Permissions.InvoicesWrite, Permissions.TenantsRead, Permissions.TenantsWrite, Permissions.BillingProfileRead,
            Permissions.BillingProfileWrite, Permissions.WebhooksWrite, Permissions.UsersRead, Permissions.UsersWrite,
            Permissions.RegistryRead, Permissions.RegistryWrite, Permissions.UsageRead, Permissions.UsageWrite,
        ],
        [TenantAdmin] =
        [
            Permissions.CatalogRead, Permissions.SubscriptionsRead, Permissions.SubscriptionsWrite, Permissions.InvoicesRead,
            Permissions.BillingProfileRead, Permissions.BillingProfileWrite, Permissions.UsageRead, Permissions.UsageWrite,
        ],
        [Operator] =
        [
            Permissions.CatalogRead, Permissions.CatalogWrite, Permissions.SubscriptionsRead, Permissions.SubscriptionsWrite, Permissions.InvoicesRead,
            Permissions.InvoicesWrite, Permissions.BillingRun, Permissions.BillingProfileRead, Permissions.BillingProfileWrite, Permissions.TenantsRead,
            Permissions.TenantsWrite, Permissions.PartnersRead, Permissions.WebhooksWrite, Permissions.UsersRead, Permissions.UsersWrite,
            Permissions.RegistryRead, Permissions.RegistryWrite, Permissions.RegistryAdmin, Permissions.UsageRead, Permissions.UsageWrite,
        ],
        [BillingViewer] = [Permissions.CatalogRead, Permissions.SubscriptionsRead, Permissions.InvoicesRead, Permissions.BillingProfileRead, Permissions.UsageRead],
        [Service] =
        [
            Permissions.CatalogRead, Permissions.SubscriptionsRead, Permissions.TenantsRead, Permissions.RegistryRead, Permissions.RegistryWrite,
            Permissions.UsageRead, Permissions.UsageWrite,
        ],
    };

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        [SuperAdmin] = "The operator: every permission, across tenants through the audited operator path.",
        [Operator] = "Platform operator staff: billing runs, catalog, tenants, subscriptions and invoices, without the super_admin bypass.",
        [PartnerAdmin] = "A reseller partner's administrator: its own tenants, invoices, webhooks and users.",
        [TenantAdmin] = "A tenant's administrator: subscribes, sees its invoices, edits its billing profile.",
        [BillingViewer] = "Reads catalog, subscriptions, invoices and billing profiles; changes nothing.",
        [Service] = "A registered service calling the registry and usage endpoints.",
    };

    /// <summary>The built-in role names, most powerful first (seeded into the roles table).</summary>
    public static IReadOnlyList<string> BuiltIn { get; } = [SuperAdmin, Operator, PartnerAdmin, TenantAdmin, BillingViewer, Service];

    /// <summary>A one-line description of a built-in role; empty for an unknown role.</summary>
    public static string DescriptionOf(string role) => Descriptions.GetValueOrDefault(role, "");

    /// <summary>True for a role ScaiControl defines in code.</summary>
    public static bool IsBuiltIn(string role) => Grants.ContainsKey(role);

    /// <summary>The scopes a role grants; none for an unknown role.</summary>
    public static IReadOnlyList<string> ScopesOf(string role) => Grants.TryGetValue(role, out var s) ? s : [];
}

/// <summary>The "scope:action" permission names used as authorization policy names.</summary>
public static class Permissions
{
    public const string CatalogRead = "catalog:read";
    public const string CatalogWrite = "catalog:write";
    public const string SubscriptionsRead = "subscriptions:read";
    public const string SubscriptionsWrite = "subscriptions:write";
    public const string InvoicesRead = "invoices:read";
    public const string InvoicesWrite = "invoices:write";
    public const string BillingRun = "billing:run";
    public const string BillingProfileRead = "billing_profile:read";
    public const string BillingProfileWrite = "billing_profile:write";
    public const string TenantsRead = "tenants:read";
    public const string TenantsWrite = "tenants:write";
    public const string PartnersRead = "partners:read";
    public const string PartnersWrite = "partners:write";

    /// <summary>Invoice and credit-note templates: list, save drafts, publish, preview (the operator only).</summary>
    public const string TemplatesWrite = "templates:write";

    /// <summary>Webhook subscribers of the actor's own partner (the operator: all): create, edit, rotate, test, replay.</summary>
    public const string WebhooksWrite = "webhooks:write";

    /// <summary>Users, groups, role assignments and effective permissions of the actor's own partner (the operator: all).</summary>
    public const string UsersRead = "users:read";

    /// <summary>Assign and remove local roles, run the identity sync (the sync: the operator only).</summary>
    public const string UsersWrite = "users:write";

    /// <summary>
    /// Plan-change service tokens (the spec's "plan-change service tokens", for CRM-driven plan changes): change the plan of
    /// any subscription the token's partner (or tenant) owns, through POST /api/v1/subscriptions/{id}/change-plan. Carried
    /// by client-credentials tokens; no built-in role but super_admin holds it.
    /// </summary>
    public const string ScaiControlAdmin = "scaicontrol:admin";

    /// <summary>The service registry of the actor's own partner (the operator: all): list and read registrations and their health history.</summary>
    public const string RegistryRead = "registry:read";

    /// <summary>Register a service (create or update by app_id) and send its heartbeats; a service key only for its own app_id.</summary>
    public const string RegistryWrite = "registry:write";

    /// <summary>Approve, suspend and retire registered services (the operator).</summary>
    public const string RegistryAdmin = "registry:admin";

    /// <summary>Report usage events (POST /api/v1/usage): a tenant for itself, a partner or service for its partner's tenants (issue 15).</summary>
    public const string UsageWrite = "usage:write";

    /// <summary>Read usage roll-ups, events and quota state within the caller's tenant or partner (issue 15).</summary>
    public const string UsageRead = "usage:read";

    /// <summary>Every permission.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        CatalogRead, CatalogWrite, SubscriptionsRead, SubscriptionsWrite, InvoicesRead, InvoicesWrite, BillingRun,
        BillingProfileRead, BillingProfileWrite, TenantsRead, TenantsWrite, PartnersRead, PartnersWrite, TemplatesWrite, WebhooksWrite,
        UsersRead, UsersWrite, ScaiControlAdmin, RegistryRead, RegistryWrite, RegistryAdmin, UsageWrite, UsageRead,
    ];
}
