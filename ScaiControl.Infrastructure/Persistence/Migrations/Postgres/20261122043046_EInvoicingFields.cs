using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EInvoicingFields : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BuyerReference",
                table: "tenant_billing_profiles",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreferredEInvoiceFormat",
                table: "tenant_billing_profiles",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ContactName",
                table: "partner_configuration",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ContactPhone",
                table: "partner_configuration",
                type: "character varying(30)",
                maxLength: 30,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RegistrationId",
                table: "partner_configuration",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RegistrationScheme",
                table: "partner_configuration",
                type: "character varying(4)",
                maxLength: 4,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BuyerReference",
                table: "invoices",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BuyerReference",
                table: "tenant_billing_profiles");

            migrationBuilder.DropColumn(
                name: "PreferredEInvoiceFormat",
                table: "tenant_billing_profiles");

            migrationBuilder.DropColumn(
                name: "ContactName",
                table: "partner_configuration");

            migrationBuilder.DropColumn(
                name: "ContactPhone",
                table: "partner_configuration");

            migrationBuilder.DropColumn(
                name: "RegistrationId",
                table: "partner_configuration");

            migrationBuilder.DropColumn(
                name: "RegistrationScheme",
                table: "partner_configuration");

            migrationBuilder.DropColumn(
                name: "BuyerReference",
                table: "invoices");
        }
    }
}
