using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VatEvidenceAndOss : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "VatIdCheckedAt",
                table: "tenant_billing_profiles",
                type: "TEXT",
                maxLength: 33,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VatIdConsultationNumber",
                table: "tenant_billing_profiles",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VatIdRegisteredName",
                table: "tenant_billing_profiles",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VatIdStatus",
                table: "tenant_billing_profiles",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "OssMode",
                table: "partner_configuration",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "VatIdCheckedAt",
                table: "tenant_billing_profiles");

            migrationBuilder.DropColumn(
                name: "VatIdConsultationNumber",
                table: "tenant_billing_profiles");

            migrationBuilder.DropColumn(
                name: "VatIdRegisteredName",
                table: "tenant_billing_profiles");

            migrationBuilder.DropColumn(
                name: "VatIdStatus",
                table: "tenant_billing_profiles");

            migrationBuilder.DropColumn(
                name: "OssMode",
                table: "partner_configuration");
        }
    }
}
