using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace ScaiControl.Web.Components.Shared;

/// <summary>
/// Base of the portal and admin pages: the signed-in <see cref="Web.PortalActor"/>, one way to turn a failed
/// service call into the message the error state shows (unexpected failures are logged, expected ones are not), and
/// one way to run a destructive action (<see cref="ConfirmAndRunAsync"/>: the confirm dialog, then a snackbar).
/// Each page marks its h1 with <c>data-interactive</c> once it runs in the circuit
/// (<see cref="ComponentBase.RendererInfo"/>): before that, the prerendered buttons do nothing.
/// </summary>
public abstract class PortalPageBase : ComponentBase
{
    /// <summary>The signed-in user as the services' actor.</summary>
    [Inject] protected PortalActor PortalActor { get; set; } = default!;

    /// <summary>"Now" for the page (trial days left, default billing period).</summary>
    [Inject] protected TimeProvider Clock { get; set; } = default!;

    /// <summary>MudBlazor's dialogs (the confirm dialog).</summary>
    [Inject] protected IDialogService Dialogs { get; set; } = default!;

    /// <summary>MudBlazor's snackbars (outcomes of actions).</summary>
    [Inject] protected ISnackbar Snackbar { get; set; } = default!;

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

    /// <summary>Asks <paramref name="request"/> in the confirm dialog: the dialog's text ("" without a text field) when confirmed, null when the user went back.</summary>
    protected async Task<string?> ConfirmAsync(ConfirmRequest request)
    {
        var parameters = new DialogParameters<ConfirmDialog> { { d => d.Request, request } };
        var dialog = await Dialogs.ShowAsync<ConfirmDialog>(request.Title, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = false });
        var result = await dialog.Result;
        return result is null || result.Canceled ? null : result.Data as string ?? string.Empty;
    }

    /// <summary>
    /// Asks <paramref name="request"/> in the confirm dialog; when confirmed runs <paramref name="action"/> with the
    /// dialog's text (empty when it has no text field) and shows the sentence it returns in a success snackbar, or
    /// the failure (<see cref="Describe"/>) in an error snackbar. Returns true when the action ran and succeeded;
    /// false when the user went back (nothing is done) or it failed.
    /// </summary>
    protected async Task<bool> ConfirmAndRunAsync(ConfirmRequest request, Func<string, Task<string>> action, string what)
    {
        if (await ConfirmAsync(request) is not { } input)
        {
            return false;
        }

        try
        {
            var outcome = await action(input);
            Snackbar.Add(outcome, Severity.Success, o => o.VisibleStateDuration = 8000);
            return true;
        }
        catch (Exception e)
        {
            Snackbar.Add(Describe(e, what), Severity.Error, o => o.RequireInteraction = true);
            return false;
        }
    }
}
