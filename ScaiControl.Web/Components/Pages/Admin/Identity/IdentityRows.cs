using Microsoft.Extensions.Localization;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Web.Localization;

namespace ScaiControl.Web.Components.Pages.Admin.Identity;

/// <summary>A user as the admin list shows it (serialisable: carried from the prerender into the circuit).</summary>
/// <param name="Id">usr_...</param>
/// <param name="DisplayName">The user's name.</param>
/// <param name="Email">The sign-in e-mail.</param>
/// <param name="Status">"active" or "deactivated".</param>
/// <param name="Source">"local" or "scaikey".</param>
/// <param name="ScaiKeyRoles">The roles ScaiKey gives the user (users.roles).</param>
/// <param name="LocalRoles">Roles assigned locally.</param>
/// <param name="Groups">The names of the user's groups.</param>
/// <param name="LastSignInAt">The last sign-in, null before the first.</param>
public sealed record IdentityUserRow(string Id, string DisplayName, string Email, string Status, string Source, IReadOnlyList<string> ScaiKeyRoles,
    IReadOnlyList<string> LocalRoles, IReadOnlyList<string> Groups, DateTimeOffset? LastSignInAt)
{
    /// <summary>The row of <paramref name="view"/>.</summary>
    public static IdentityUserRow From(UserView view) => new(
        view.User.Id, view.User.DisplayName, view.User.Email, view.User.Status.ToString().ToLowerInvariant(), view.User.Source.ToString().ToLowerInvariant(),
        view.User.RoleList, view.Assignments.Select(a => a.Role).ToArray(), view.Groups.Select(g => g.Value).ToArray(), view.User.LastSignInAt);
}

/// <summary>Words for the identity pages.</summary>
public static class IdentityText
{
    /// <summary>How a grant reaches the user, in words of the portal's language (<paramref name="l"/>).</summary>
    public static string Source(RoleGrant grant, IStringLocalizer<Strings> l) => grant.Source switch
    {
        GrantSource.Token => l["Id.GrantToken"],
        GrantSource.ScaiKey => l["Id.GrantScaiKey"],
        GrantSource.UserAssignment => l["Id.GrantHere"],
        GrantSource.Group => l["Id.GrantGroup", grant.GroupName ?? ""],
        _ => grant.Source.ToString(),
    };
}
