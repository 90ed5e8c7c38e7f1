using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// Coalesces the "operator_access" audit rows (issue 13): a cross-tenant context no longer writes and commits a row
/// each time it is opened. Per node, one row per (actor, reason, window) when the operator or a job opens the
/// cross-tenant scope (entity "scope", id "*"), and one row per (operator, tenant, window) for the tenants whose rows the
/// operator's contexts actually read (entity "tenant", id and tenant_id = the tenant), so the trail still answers "who
/// read which tenant's data, when" to within <see cref="Window"/>. System jobs ("system:" actors) get the scope
/// row only: their runs are audited by what they write. Windows are aligned to multiples of <see cref="Window"/> since
/// the Unix epoch (UTC); a node that restarts may write a window's row again, never less than once.
/// </summary>
public sealed class OperatorAccessLog
{
    /// <summary>The coalescing window: 15 minutes.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<(string Actor, string Subject, long Window), byte> _written = new();
    private long _currentWindow;

    /// <summary>
    /// Claims the row for (<paramref name="actor"/>, <paramref name="subject"/>) in the window holding
    /// <paramref name="now"/>: true for the first caller in that window (who must write the row, or <see cref="Release"/> it).
    /// </summary>
    public bool TryClaim(string actor, string subject, DateTimeOffset now, out DateTimeOffset windowStart)
    {
        var window = now.ToUnixTimeMilliseconds() / (long)Window.TotalMilliseconds;
        windowStart = DateTimeOffset.FromUnixTimeMilliseconds(window * (long)Window.TotalMilliseconds);
        if (Interlocked.Exchange(ref _currentWindow, window) != window)
        {
            foreach (var old in _written.Keys.Where(k => k.Window < window - 1))
            {
                _written.TryRemove(old, out _);
            }
        }

        return _written.TryAdd((actor, subject, window), 0);
    }

    /// <summary>Gives a claim back (its row could not be written), so the next access writes it.</summary>
    public void Release(string actor, string subject, DateTimeOffset windowStart) =>
        _written.TryRemove((actor, subject, windowStart.ToUnixTimeMilliseconds() / (long)Window.TotalMilliseconds), out _);
}

/// <summary>
/// Notes, in an operator's cross-tenant context, which tenants' rows were read, for the coalesced operator_access rows
/// written when the context is disposed (<see cref="OperatorAccessLog"/>): a command interceptor that hands such a
/// context's LINQ queries a reader noting the "TenantId" (and "PartnerId") columns of each row read (a tenants row: its "Id"), so
/// entity reads and projections that carry the tenant are both covered; other projections are covered by the scope
/// row of their context. Tenant, partner and system contexts get the provider's reader untouched.
/// </summary>
/// <remarks>
/// It replaces a materialization interceptor (issue 13): with any IMaterializationInterceptor configured, EF Core 9's
/// materializer builds a property-accessor delegate per property of every entity it materialises (a
/// DynamicMethod.CreateDelegate each), for every context; a tenant's page of 50 invoices cost 24 ms of CPU and 1.7 MB of
/// allocations that way.
/// </remarks>
public sealed class TenantReadInterceptor : DbCommandInterceptor
{
    /// <summary>The one instance (stateless).</summary>
    public static readonly TenantReadInterceptor Instance = new();

    private TenantReadInterceptor()
    {
    }

    /// <inheritdoc/>
    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result) =>
        Wrap(command, eventData, result);

    /// <inheritdoc/>
    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Wrap(command, eventData, result));

    private static DbDataReader Wrap(DbCommand command, CommandExecutedEventData eventData, DbDataReader result) =>
        // LINQ queries only: SaveChanges' readers are the provider's own business (Npgsql casts them to its reader).
        eventData.CommandSource == CommandSource.LinqQuery && eventData.Context is ScaiDbContext { TenantReadSink: not null } db
            ? new TenantNotingReader(result, db, ReadsTenantsTable(command.CommandText))
            : result;

    /// <summary>True when the statement's first FROM is the tenants table (any provider's quoting).</summary>
    internal static bool ReadsTenantsTable(string sql)
    {
        var from = sql.IndexOf("FROM ", StringComparison.OrdinalIgnoreCase);
        if (from < 0)
        {
            return false;
        }

        var rest = sql.AsSpan(from + 5).TrimStart().TrimStart("\"`[").ToString();
        return rest.StartsWith("tenants", StringComparison.Ordinal) && (rest.Length == 7 || !char.IsLetterOrDigit(rest[7]) && rest[7] != '_');
    }
}

/// <summary>A reader that passes everything through and notes the tenant of each row read (<see cref="TenantReadInterceptor"/>).</summary>
internal sealed class TenantNotingReader(DbDataReader inner, ScaiDbContext db, bool tenantsTable) : DbDataReader
{
    private (int Tenant, int Partner)[]? _columns;

    private (int Tenant, int Partner)[] Columns => _columns ??= FindColumns();

    private (int Tenant, int Partner)[] FindColumns()
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < inner.FieldCount; i++)
        {
            names.TryAdd(inner.GetName(i), i);
        }

        var found = new List<(int, int)>();
        foreach (var (name, ordinal) in names)
        {
            // EF Core makes the projection's column names unique: TenantId, TenantId0, TenantId1, ...
            if (name.StartsWith("TenantId", StringComparison.Ordinal) && name.AsSpan(8).IndexOfAnyExceptInRange('0', '9') < 0)
            {
                found.Add((ordinal, names.GetValueOrDefault("PartnerId" + name[8..], -1)));
            }
        }

        if (tenantsTable && names.TryGetValue("Id", out var id))
        {
            found.Add((id, names.GetValueOrDefault("PartnerId", -1)));
        }

        return found.ToArray();
    }

    private void Note()
    {
        foreach (var (tenant, partner) in Columns)
        {
            if (!inner.IsDBNull(tenant) && inner.GetValue(tenant) is string tenantId)
            {
                var partnerId = partner >= 0 && !inner.IsDBNull(partner) ? inner.GetValue(partner) as string : null;
                db.NoteTenantRead(partnerId ?? string.Empty, tenantId);
            }
        }
    }

    public override bool Read()
    {
        var more = inner.Read();
        if (more)
        {
            Note();
        }

        return more;
    }

    public override async Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        var more = await inner.ReadAsync(cancellationToken);
        if (more)
        {
            Note();
        }

        return more;
    }

    public override bool NextResult()
    {
        _columns = null;
        return inner.NextResult();
    }

    public override Task<bool> NextResultAsync(CancellationToken cancellationToken)
    {
        _columns = null;
        return inner.NextResultAsync(cancellationToken);
    }

    public override object this[int ordinal] => inner[ordinal];

    public override object this[string name] => inner[name];

    public override int Depth => inner.Depth;

    public override int FieldCount => inner.FieldCount;

    public override bool HasRows => inner.HasRows;

    public override bool IsClosed => inner.IsClosed;

    public override int RecordsAffected => inner.RecordsAffected;

    public override int VisibleFieldCount => inner.VisibleFieldCount;

    public override bool GetBoolean(int ordinal) => inner.GetBoolean(ordinal);

    public override byte GetByte(int ordinal) => inner.GetByte(ordinal);

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => inner.GetBytes(ordinal, dataOffset, buffer, bufferOffset, length);

    public override char GetChar(int ordinal) => inner.GetChar(ordinal);

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => inner.GetChars(ordinal, dataOffset, buffer, bufferOffset, length);

    public override string GetDataTypeName(int ordinal) => inner.GetDataTypeName(ordinal);

    public override DateTime GetDateTime(int ordinal) => inner.GetDateTime(ordinal);

    public override decimal GetDecimal(int ordinal) => inner.GetDecimal(ordinal);

    public override double GetDouble(int ordinal) => inner.GetDouble(ordinal);

    public override System.Collections.IEnumerator GetEnumerator() => ((System.Collections.IEnumerable)inner).GetEnumerator();

    public override Type GetFieldType(int ordinal) => inner.GetFieldType(ordinal);

    public override T GetFieldValue<T>(int ordinal) => inner.GetFieldValue<T>(ordinal);

    public override Task<T> GetFieldValueAsync<T>(int ordinal, CancellationToken cancellationToken) => inner.GetFieldValueAsync<T>(ordinal, cancellationToken);

    public override float GetFloat(int ordinal) => inner.GetFloat(ordinal);

    public override Guid GetGuid(int ordinal) => inner.GetGuid(ordinal);

    public override short GetInt16(int ordinal) => inner.GetInt16(ordinal);

    public override int GetInt32(int ordinal) => inner.GetInt32(ordinal);

    public override long GetInt64(int ordinal) => inner.GetInt64(ordinal);

    public override string GetName(int ordinal) => inner.GetName(ordinal);

    public override int GetOrdinal(string name) => inner.GetOrdinal(name);

    public override Type GetProviderSpecificFieldType(int ordinal) => inner.GetProviderSpecificFieldType(ordinal);

    public override object GetProviderSpecificValue(int ordinal) => inner.GetProviderSpecificValue(ordinal);

    public override int GetProviderSpecificValues(object[] values) => inner.GetProviderSpecificValues(values);

    public override DataTable? GetSchemaTable() => inner.GetSchemaTable();

    public override Stream GetStream(int ordinal) => inner.GetStream(ordinal);

    public override string GetString(int ordinal) => inner.GetString(ordinal);

    public override TextReader GetTextReader(int ordinal) => inner.GetTextReader(ordinal);

    public override object GetValue(int ordinal) => inner.GetValue(ordinal);

    public override int GetValues(object[] values) => inner.GetValues(values);

    public override bool IsDBNull(int ordinal) => inner.IsDBNull(ordinal);

    public override Task<bool> IsDBNullAsync(int ordinal, CancellationToken cancellationToken) => inner.IsDBNullAsync(ordinal, cancellationToken);

    public override void Close() => inner.Close();

    public override Task CloseAsync() => inner.CloseAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
