using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Postgres
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

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS invoice_lines_finalised_immutable ON invoice_lines;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS invoices_finalised_immutable ON invoices;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS refuse_finalised_invoice_change();");
        }
    }
}
