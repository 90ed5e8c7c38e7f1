using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InvoiceImmutabilityTriggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
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

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var name in new[] { "invoices_finalised_no_update", "invoices_finalised_no_delete", "invoice_lines_finalised_no_insert", "invoice_lines_finalised_no_update", "invoice_lines_finalised_no_delete" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {name};");
            }
        }
    }
}
