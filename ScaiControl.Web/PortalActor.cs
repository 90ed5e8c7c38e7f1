using Microsoft.AspNetCore.Components.Authorization;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web;

/// <summary>The signed-in portal user as an <see cref="Actor"/>, read from the circuit's (or request's) authentication state.</summary>
public sealed class PortalActor(AuthenticationStateProvider authentication)
{
    /// <summary>The current actor; <see cref="Actor.Anonymous"/> when nobody is signed in.</summary>
    public async Task<Actor> GetAsync() => (await authentication.GetAuthenticationStateAsync()).User.ToActor();
}
