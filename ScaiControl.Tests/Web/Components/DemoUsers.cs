namespace ScaiControl.Tests.Web.Components;

/// <summary>The demo seed's sign-in e-mails (ScaiControl.Infrastructure.Demo.DemoSeeder).</summary>
public static class DemoUsers
{
    public const string Operator = "ops@scailabs.example";
    public const string PartnerAdmin = "lars@nordiccloud-se.example";
    public const string Anna = "anna@acme-nl.example";
    public const string Jonas = "jonas@bergmann-de.example";
    public const string Claire = "claire@martin-fr.example";
    public const string Sam = "sam@redwood-us.example";
    public const string Eva = "eva@fjord-no.example";
}
