using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.MariaDb
{
    /// <inheritdoc />
    public partial class BillingRunLease : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ClaimedBy",
                table: "billing_runs",
                type: "varchar(100)",
                maxLength: 100,
                nullable: true,
                collation: "utf8mb4_bin")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<DateTime>(
                name: "LeaseUntil",
                table: "billing_runs",
                type: "datetime(6)",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_billing_runs_Status_LeaseUntil",
                table: "billing_runs",
                columns: new[] { "Status", "LeaseUntil" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_billing_runs_Status_LeaseUntil",
                table: "billing_runs");

            migrationBuilder.DropColumn(
                name: "ClaimedBy",
                table: "billing_runs");

            migrationBuilder.DropColumn(
                name: "LeaseUntil",
                table: "billing_runs");
        }
    }
}
