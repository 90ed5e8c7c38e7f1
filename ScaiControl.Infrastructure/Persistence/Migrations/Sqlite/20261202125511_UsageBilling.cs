using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UsageBilling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "usage_corrections",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    EventId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    MeterId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    OccurredAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    PreviousQuantityMicro = table.Column<long>(type: "INTEGER", nullable: false),
                    QuantityMicro = table.Column<long>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Settlement = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ChargeId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    CreatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_usage_corrections", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "usage_period_closes",
                columns: table => new
                {
                    SubscriptionId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PeriodStart = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PeriodEnd = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    InvoiceId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    MetersJson = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    Revision = table.Column<int>(type: "INTEGER", nullable: false),
                    ClosedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_usage_period_closes", x => new { x.SubscriptionId, x.PeriodStart });
                });

            migrationBuilder.CreateIndex(
                name: "IX_usage_events_TenantId_SubscriptionId_MeterId_OccurredAt",
                table: "usage_events",
                columns: new[] { "TenantId", "SubscriptionId", "MeterId", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_usage_corrections_TenantId_Source_EventId_Id",
                table: "usage_corrections",
                columns: new[] { "TenantId", "Source", "EventId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_usage_corrections_TenantId_SubscriptionId_MeterId_OccurredAt",
                table: "usage_corrections",
                columns: new[] { "TenantId", "SubscriptionId", "MeterId", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_usage_period_closes_TenantId_PeriodEnd",
                table: "usage_period_closes",
                columns: new[] { "TenantId", "PeriodEnd" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "usage_corrections");

            migrationBuilder.DropTable(
                name: "usage_period_closes");

            migrationBuilder.DropIndex(
                name: "IX_usage_events_TenantId_SubscriptionId_MeterId_OccurredAt",
                table: "usage_events");
        }
    }
}
