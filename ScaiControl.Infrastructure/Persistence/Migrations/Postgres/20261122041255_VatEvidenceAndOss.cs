using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VatEvidenceAndOss : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "VatIdCheckedAt",
                table: "tenant_billing_profiles",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VatIdConsultationNumber",
                table: "tenant_billing_profiles",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VatIdRegisteredName",
                table: "tenant_billing_profiles",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VatIdStatus",
                table: "tenant_billing_profiles",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "OssMode",
                table: "partner_configuration",
                type: "character varying(20)",
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
