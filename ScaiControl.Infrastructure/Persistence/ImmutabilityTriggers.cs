using Microsoft.EntityFrameworkCore.Migrations;

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// Database triggers that refuse any change to a finalised invoice or its lines (update, delete, line insert),
/// including bulk ExecuteUpdate/ExecuteDelete: the third line of defence after the domain check and
/// <see cref="Interceptors.InvoiceImmutabilityInterceptor"/>. Called from the provider migrations.
/// </summary>
public static class ImmutabilityTriggers
{
    /// <summary>Creates the SQLite triggers.</summary>
    public static void UpSqlite(MigrationBuilder migrationBuilder)
    {
        // Third line of defence (after the domain check and the SaveChanges interceptor): the database itself
        // refuses changes to finalised invoices and their lines, including bulk ExecuteUpdate/ExecuteDelete.
        migrationBuilder.Sql("""
            CREATE TRIGGER invoices_finalised_no_update BEFORE UPDATE ON invoices
            WHEN OLD."Status" = 'Finalised'
            BEGIN SELECT RAISE(ABORT, 'invoice is finalised and immutable'); END;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER invoices_finalised_no_delete BEFORE DELETE ON invoices
            WHEN OLD."Status" = 'Finalised'
            BEGIN SELECT RAISE(ABORT, 'invoice is finalised and immutable'); END;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER invoice_lines_finalised_no_insert BEFORE INSERT ON invoice_lines
            WHEN (SELECT "Status" FROM invoices WHERE "Id" = NEW."InvoiceId") = 'Finalised'
            BEGIN SELECT RAISE(ABORT, 'invoice is finalised and immutable'); END;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER invoice_lines_finalised_no_update BEFORE UPDATE ON invoice_lines
            WHEN (SELECT "Status" FROM invoices WHERE "Id" = OLD."InvoiceId") = 'Finalised'
            BEGIN SELECT RAISE(ABORT, 'invoice is finalised and immutable'); END;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER invoice_lines_finalised_no_delete BEFORE DELETE ON invoice_lines
            WHEN (SELECT "Status" FROM invoices WHERE "Id" = OLD."InvoiceId") = 'Finalised'
            BEGIN SELECT RAISE(ABORT, 'invoice is finalised and immutable'); END;
            """);
    }

    /// <summary>Drops the SQLite triggers.</summary>
    public static void DownSqlite(MigrationBuilder migrationBuilder)
    {
        foreach (var name in new[] { "invoices_finalised_no_update", "invoices_finalised_no_delete", "invoice_lines_finalised_no_insert", "invoice_lines_finalised_no_update", "invoice_lines_finalised_no_delete" })
        {
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {name};");
        }
    }

    /// <summary>Creates the PostgreSQL trigger function and triggers.</summary>
    public static void UpPostgres(MigrationBuilder migrationBuilder)
    {
        // Third line of defence (after the domain check and the SaveChanges interceptor): the database itself
        // refuses changes to finalised invoices and their lines, including bulk ExecuteUpdate/ExecuteDelete.
        migrationBuilder.Sql("""
            CREATE FUNCTION refuse_finalised_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE parent_status text;
            BEGIN
                IF TG_TABLE_NAME = 'invoices' THEN
                    IF OLD."Status" = 'Finalised' THEN
                        RAISE EXCEPTION 'invoice % is finalised and immutable', OLD."Id" USING ERRCODE = 'P0001';
                    END IF;
                ELSE
                    SELECT "Status" INTO parent_status FROM invoices
                    WHERE "Id" = (CASE WHEN TG_OP = 'INSERT' THEN NEW."InvoiceId" ELSE OLD."InvoiceId" END);
                    IF parent_status = 'Finalised' THEN
                        RAISE EXCEPTION 'invoice is finalised and immutable' USING ERRCODE = 'P0001';
                    END IF;
                END IF;
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END $$;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER invoices_finalised_immutable BEFORE UPDATE OR DELETE ON invoices
            FOR EACH ROW EXECUTE FUNCTION refuse_finalised_invoice_change();
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER invoice_lines_finalised_immutable BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
            FOR EACH ROW EXECUTE FUNCTION refuse_finalised_invoice_change();
            """);
    }

    /// <summary>Drops the PostgreSQL triggers and function.</summary>
    public static void DownPostgres(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TRIGGER IF EXISTS invoice_lines_finalised_immutable ON invoice_lines;");
        migrationBuilder.Sql("DROP TRIGGER IF EXISTS invoices_finalised_immutable ON invoices;");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS refuse_finalised_invoice_change();");
    }

    /// <summary>
    /// Creates the MariaDB triggers (SIGNAL SQLSTATE '45000'). On Galera they fire on the node that runs the statement;
    /// other nodes apply the resulting rows (row-based replication) without firing them again.
    /// </summary>
    public static void UpMariaDb(MigrationBuilder migrationBuilder)
    {
        const string refuse = "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'invoice is finalised and immutable'";
        migrationBuilder.Sql($"""
            CREATE TRIGGER invoices_finalised_no_update BEFORE UPDATE ON invoices FOR EACH ROW
            BEGIN IF OLD.`Status` = 'Finalised' THEN {refuse}; END IF; END
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER invoices_finalised_no_delete BEFORE DELETE ON invoices FOR EACH ROW
            BEGIN IF OLD.`Status` = 'Finalised' THEN {refuse}; END IF; END
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER invoice_lines_finalised_no_insert BEFORE INSERT ON invoice_lines FOR EACH ROW
            BEGIN IF (SELECT `Status` FROM invoices WHERE `Id` = NEW.`InvoiceId`) = 'Finalised' THEN {refuse}; END IF; END
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER invoice_lines_finalised_no_update BEFORE UPDATE ON invoice_lines FOR EACH ROW
            BEGIN IF (SELECT `Status` FROM invoices WHERE `Id` = OLD.`InvoiceId`) = 'Finalised' THEN {refuse}; END IF; END
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER invoice_lines_finalised_no_delete BEFORE DELETE ON invoice_lines FOR EACH ROW
            BEGIN IF (SELECT `Status` FROM invoices WHERE `Id` = OLD.`InvoiceId`) = 'Finalised' THEN {refuse}; END IF; END
            """);
    }

    /// <summary>Drops the MariaDB triggers.</summary>
    public static void DownMariaDb(MigrationBuilder migrationBuilder)
    {
        foreach (var name in new[] { "invoices_finalised_no_update", "invoices_finalised_no_delete", "invoice_lines_finalised_no_insert", "invoice_lines_finalised_no_update", "invoice_lines_finalised_no_delete" })
        {
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {name};");
        }
    }
}
