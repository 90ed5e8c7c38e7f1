using Microsoft.AspNetCore.Components;

namespace ScaiControl.Web.Components.Shared;

/// <summary>
/// Base of the portal and admin pages: the signed-in <see cref="Web.PortalActor"/> and one way to turn a failed
/// service call into the message the error state shows (unexpected failures are logged, expected ones are not).
/// Each page marks its h1 with <c>data-interactive</c> once it runs in the circuit
/// (<see cref="ComponentBase.RendererInfo"/>): before that, the prerendered buttons do nothing.
/// </summary>
public abstract class PortalPageBase : ComponentBase
{
    /// <summary>The signed-in user as the services' actor.</summary>
    [Inject] protected PortalActor PortalActor { get; set; } = default!;

    /// <summary>"Now" for the page (trial days left, default billing period).</summary>
    [Inject] protected TimeProvider Clock { get; set; } = default!;

    [Inject] private ILoggerFactory LoggerFactory { get; set; } = default!;

    /// <summary>The message for <paramref name="exception"/>; logs it when it is not an expected domain failure.</summary>
    protected string Describe(Exception exception, string what)
    {
        if (!Ui.IsExpected(exception))
        {
            LoggerFactory.CreateLogger(GetType()).LogError(exception, "{What} failed", what);
        }

        return Ui.Describe(exception);
    }
}
