using Microsoft.Extensions.Localization;

namespace ScaiControl.Web.Components.Shared;

/// <summary>The label of a state's wire name ("past_due") in the user's language: resource "Status.&lt;wire&gt;", else the wire name with spaces.</summary>
public static class StatusText
{
    /// <summary>The label of <paramref name="wire"/>.</summary>
    public static string Of(IStringLocalizer localizer, string wire)
    {
        var text = localizer[$"Status.{wire}"];
        return text.ResourceNotFound ? wire.Replace('_', ' ') : text.Value;
    }
}
