using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using ScaiControl.Infrastructure.Billing;
using ScaiControl.Web.Components.Pages.Portal.BillingProfile;

namespace ScaiControl.Tests.Web.Components.Pages.Portal;

/// <summary>
/// The billing profile form: the country picked by name from the ISO 3166 list, the VAT id checked as the user types
/// (prefix, format, check digits) and on save, the VIES status, and a confirmation before a change of the VAT of the
/// next invoice is saved. Refused or abandoned saves write nothing.
/// </summary>
public sealed class BillingProfileFormTests(PortalRenderFixture portal) : IClassFixture<PortalRenderFixture>
{
    [Fact]
    public async Task TheStoredProfile_ShowsTheCountryByName_AndTheViesConfirmation()
    {
        await using var view = await portal.OpenAsync<BillingProfilePage>(DemoUsers.Anna);

        Assert.Equal("Netherlands", view.ByTestId("field-country").GetAttribute("value"));
        Assert.Matches(@"VIES: NL853746333B01 confirmed on \d", view.Text("vies-status"));
    }

    [Fact]
    public async Task TypingNetherlandsPicksTheNetherlands_NotNiger()
    {
        await using var view = await portal.OpenAsync<BillingProfilePage>(DemoUsers.Anna);

        await PickCountryAsync(view, "Niger", "Niger");
        view.WaitFor(() => Assert.Contains("is a VAT id of Netherlands (NL), but the country is Niger (NE)", view.Markup, StringComparison.Ordinal));
        await PickCountryAsync(view, "Netherl", "Netherlands");
        view.WaitFor(() => Assert.DoesNotContain("but the country is", view.Markup, StringComparison.Ordinal));
        Assert.Contains("stays domestic at 21.00 %", view.Text("vat-preview"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidVatId_IsReportedAsTheUserTypes_AndSaveRefusesIt_WritingNothing()
    {
        var before = await ProfileAsync(DemoUsers.Jonas);
        await using var view = await portal.OpenAsync<BillingProfilePage>(DemoUsers.Jonas);

        view.Fill("field-vat_id", "DE811907981");
        view.WaitFor(() => Assert.Contains("fails the DE VAT number check digit", view.Markup, StringComparison.Ordinal));
        view.Fill("field-vat_id", "ATU13585627");
        view.WaitFor(() => Assert.Contains("is a VAT id of Austria (AT), but the country is Germany (DE)", view.Markup, StringComparison.Ordinal));

        view.Click("profile-save");
        view.WaitFor(() => Assert.Contains("Bitte korrigieren Sie die markierten Felder.", view.Text("profile-error"), StringComparison.Ordinal)); // Jonas reads German
        Assert.Equal(before, await ProfileAsync(DemoUsers.Jonas));
    }

    [Fact]
    public async Task EachRequiredFieldAndTheEmail_AreCheckedAsTheUserTypes_NextToTheField_AndSaveWritesNothing()
    {
        var before = await ProfileAsync(DemoUsers.Anna);
        await using var view = await portal.OpenAsync<BillingProfilePage>(DemoUsers.Anna);
        Assert.False(view.Has("error-legal_name"));

        view.Fill("field-legal_name", "");
        view.WaitFor(() => Assert.True(view.Has("error-legal_name")));
        view.Fill("field-email", "billing-at-acme");
        view.WaitFor(() => Assert.True(view.Has("error-email")));
        view.Fill("field-city", " ");
        view.WaitFor(() => Assert.True(view.Has("error-city")));
        // Correcting a field clears its message as the user types.
        view.Fill("field-city", "Amsterdam");
        view.WaitFor(() => Assert.False(view.Has("error-city")));

        view.Click("profile-save");

        view.WaitFor(() => Assert.Contains("Please correct the highlighted fields.", view.Text("profile-error"), StringComparison.Ordinal));
        Assert.True(view.Has("error-legal_name"));
        Assert.True(view.Has("error-email"));
        Assert.False(view.Has("confirm-dialog"));
        Assert.Equal(before, await ProfileAsync(DemoUsers.Anna));
    }

    [Theory]
    [InlineData("Acme\u0000 B.V.")]
    [InlineData("Acme\u0007 B.V.")]
    [InlineData("Acme\u001B[31m B.V.")]
    [InlineData("Acme \u202Eexe.V.B")]
    public async Task AControlCharacterInTheLegalName_IsRefusedNextToTheField_AndNothingIsSaved(string name)
    {
        var before = await ProfileAsync(DemoUsers.Anna);
        await using var view = await portal.OpenAsync<BillingProfilePage>(DemoUsers.Anna);

        view.Fill("field-legal_name", name);
        view.Click("profile-save");

        view.WaitFor(() => Assert.True(view.Has("error-legal_name")));
        Assert.Contains("control character", view.Text("error-legal_name"), StringComparison.Ordinal);
        Assert.Equal(before, await ProfileAsync(DemoUsers.Anna));
    }

    [Fact]
    public async Task AChangeOfTheVatTreatment_IsConfirmedBeforeSaving_AndGoingBackSavesNothing()
    {
        var before = await ProfileAsync(DemoUsers.Claire);
        await using var view = await portal.OpenAsync<BillingProfilePage>(DemoUsers.Claire);

        // A French consumer moving to Belgium: OSS at the Belgian 21 % instead of the French 20 %.
        await PickCountryAsync(view, "Belg", "Belgium");
        view.WaitFor(() => Assert.Contains("from oss at 20.00 % to oss at 21.00 %", view.Text("vat-preview"), StringComparison.Ordinal));
        view.Click("profile-save");
        view.WaitFor(() => Assert.Contains("from oss at 20.00 % to oss at 21.00 %", view.Text("confirm-message"), StringComparison.Ordinal));
        view.Click("confirm-cancel");
        view.WaitFor(() => Assert.Contains("Nothing was saved.", view.Text("profile-error"), StringComparison.Ordinal));
        Assert.Equal(before, await ProfileAsync(DemoUsers.Claire));

        view.Click("profile-save");
        view.WaitForTestId("confirm-ok");
        view.Click("confirm-ok");
        view.WaitForTestId("profile-saved");
        Assert.Equal("BE", (await ProfileAsync(DemoUsers.Claire)).Country);
    }

    /// <summary>Types <paramref name="typed"/> into the country picker and clicks the suggestion <paramref name="name"/>.</summary>
    private static async Task PickCountryAsync(PortalView<BillingProfilePage> view, string typed, string name)
    {
        var picker = view.Host.FindComponent<MudAutocomplete<CountryChoice>>();
        await picker.InvokeAsync(() => picker.Instance.OpenMenuAsync());
        view.Fill("field-country", typed);
        view.WaitFor(() => Assert.Contains(view.Host.FindAll(".mud-popover .mud-list-item"), i => i.TextContent.Trim() == name));
        view.Host.FindAll(".mud-popover .mud-list-item").First(i => i.TextContent.Trim() == name).Click();
        view.WaitFor(() => Assert.Equal(name, view.ByTestId("field-country").GetAttribute("value")));
    }

    private async Task<(string Country, string? VatId, DateTimeOffset UpdatedAt)> ProfileAsync(string email)
    {
        var actor = await portal.ActorAsync(email);
        var p = (await portal.Services.GetRequiredService<BillingProfileService>().GetAsync(actor, actor.TenantId!))!;
        return (p.Country, p.VatId, p.UpdatedAt);
    }
}
