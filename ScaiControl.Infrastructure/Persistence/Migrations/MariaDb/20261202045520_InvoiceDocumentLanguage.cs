using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.MariaDb
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
                type: "varchar(35)",
                maxLength: 35,
                nullable: true,
                collation: "utf8mb4_bin")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "RegistrationId",
                table: "tenant_billing_profiles",
                type: "varchar(50)",
                maxLength: 50,
                nullable: true,
                collation: "utf8mb4_bin")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "RegistrationScheme",
                table: "tenant_billing_profiles",
                type: "varchar(4)",
                maxLength: 4,
                nullable: true,
                collation: "utf8mb4_bin")
                .Annotation("MySql:CharSet", "utf8mb4");
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
