namespace ScaiControl.Web.Components.Shared;

/// <summary>How the portal names an actor recorded as an id (history, audit, templates): a person by name and e-mail, never "usr_...".</summary>
public static class People
{
    /// <summary>
    /// "Jonas Bergmann (jonas@bergmann-de.example)" for a known user id, "System (seed-demo)" for "system:seed-demo",
    /// "Automatic" for an empty actor, and "a former user" for a user id that is no longer known.
    /// </summary>
    public static string Describe(string? actor, IReadOnlyDictionary<string, (string Name, string Email)> users)
    {
        if (string.IsNullOrEmpty(actor))
        {
            return "Automatic";
        }

        if (users.TryGetValue(actor, out var user))
        {
            return $"{user.Name} ({user.Email})";
        }

        if (actor.StartsWith("system:", StringComparison.Ordinal))
        {
            return $"System ({actor["system:".Length..]})";
        }

        return actor.StartsWith("usr_", StringComparison.Ordinal) ? "a former user" : actor;
    }
}
