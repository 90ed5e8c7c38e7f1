using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InvoiceDocumentLanguage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DocumentLanguage",
                table: "tenant_billing_profiles",
                type: "TEXT",
                maxLength: 35,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RegistrationId",
                table: "tenant_billing_profiles",
                type: "TEXT",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RegistrationScheme",
                table: "tenant_billing_profiles",
                type: "TEXT",
                maxLength: 4,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DocumentLanguage",
                table: "tenant_billing_profiles");

            migrationBuilder.DropColumn(
                name: "RegistrationId",
                table: "tenant_billing_profiles");

            migrationBuilder.DropColumn(
                name: "RegistrationScheme",
                table: "tenant_billing_profiles");
        }
    }
}
