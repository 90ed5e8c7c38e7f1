using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
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
                    SubscriptionId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    MeterId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PeriodStart = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ReachedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
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
