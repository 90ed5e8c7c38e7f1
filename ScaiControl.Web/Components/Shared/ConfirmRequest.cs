namespace ScaiControl.Web.Components.Shared;

/// <summary>
/// What <see cref="ConfirmDialog"/> asks before an irreversible or destructive action.
/// </summary>
/// <param name="Title">The dialog title, naming the action ("Finalise invoice").</param>
/// <param name="Message">Exactly what will happen, in the user's words ("SCAI-… gets the next number of … and can't be changed afterwards.").</param>
/// <param name="ConfirmText">The confirming button ("Finalise").</param>
/// <param name="Destructive">True: the button is red (cancel, suspend, retire, rotate).</param>
/// <param name="Irreversible">True: the dialog adds "This cannot be undone."</param>
/// <param name="InputLabel">When set, a text field with this label (e.g. an optional reason); its text is passed to the action.</param>
/// <param name="InputMaxLength">The text field's limit.</param>
/// <param name="CancelText">The going-back button; "Go back" when null.</param>
public sealed record ConfirmRequest(
    string Title,
    string Message,
    string ConfirmText,
    bool Destructive = false,
    bool Irreversible = false,
    string? InputLabel = null,
    int InputMaxLength = 500,
    string? CancelText = null);
