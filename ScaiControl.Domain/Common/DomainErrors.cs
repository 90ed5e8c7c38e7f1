namespace ScaiControl.Domain.Common;

/// <summary>Base of the expected failures the domain raises; the API maps each kind to one HTTP status.</summary>
public abstract class DomainException(string message) : Exception(message);

/// <summary>Input broke a rule of the domain (HTTP 422). <see cref="Field"/> names the offending field in snake_case.</summary>
public class DomainValidationException(string field, string message) : DomainException(message)
{
    /// <summary>The field (snake_case, as the API names it) the error is about.</summary>
    public string Field { get; } = field;
}

/// <summary>The request conflicts with the current state (HTTP 409): a forbidden transition or a change to a finalised document.</summary>
public class DomainConflictException(string message, string? currentState = null, IReadOnlyList<string>? allowedActions = null)
    : DomainException(message)
{
    /// <summary>The state the entity is in (e.g. "cancelled").</summary>
    public string? CurrentState { get; } = currentState;

    /// <summary>The actions the current state allows.</summary>
    public IReadOnlyList<string> AllowedActions { get; } = allowedActions ?? [];
}

/// <summary>The entity does not exist or is not visible to the caller (HTTP 404); never says which.</summary>
public sealed class NotFoundException(string entity, string id) : DomainException($"{entity} '{id}' was not found.");
