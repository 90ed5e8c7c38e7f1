using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreferredEInvoiceFormat",
                table: "tenant_billing_profiles",
                type: "TEXT",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ContactName",
                table: "partner_configuration",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ContactPhone",
                table: "partner_configuration",
                type: "TEXT",
                maxLength: 30,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RegistrationId",
                table: "partner_configuration",
                type: "TEXT",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RegistrationScheme",
                table: "partner_configuration",
                type: "TEXT",
                maxLength: 4,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BuyerReference",
                table: "invoices",
                type: "TEXT",
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
