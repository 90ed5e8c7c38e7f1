using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class UsageQuotas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "usage_quota_notices",
                columns: table => new
                {
                    SubscriptionId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    MeterId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    PeriodStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PartnerId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ReachedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_usage_quota_notices", x => new { x.SubscriptionId, x.MeterId, x.PeriodStart });
                });

            migrationBuilder.CreateIndex(
                name: "IX_usage_quota_notices_TenantId",
                table: "usage_quota_notices",
                column: "TenantId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "usage_quota_notices");
        }
    }
}
