using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Webhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FannedOutAt",
                table: "outbox_events",
                type: "TEXT",
                maxLength: 33,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "webhook_subscriptions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    Topics = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    Secret = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PreviousSecret = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    PreviousSecretExpiresAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    CreatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    ConsecutiveFailureSince = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    DisabledReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_subscriptions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    EventId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    LastStatusCode = table.Column<int>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    LastAttemptAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    CreatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_deliveries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_webhook_deliveries_outbox_events_EventId",
                        column: x => x.EventId,
                        principalTable: "outbox_events",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_webhook_deliveries_webhook_subscriptions_SubscriptionId",
                        column: x => x.SubscriptionId,
                        principalTable: "webhook_subscriptions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_events_FannedOutAt",
                table: "outbox_events",
                column: "FannedOutAt");

            migrationBuilder.CreateIndex(
                name: "IX_webhook_deliveries_EventId",
                table: "webhook_deliveries",
                column: "EventId");

            migrationBuilder.CreateIndex(
                name: "IX_webhook_deliveries_Status_NextAttemptAt",
                table: "webhook_deliveries",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_webhook_deliveries_SubscriptionId_IdempotencyKey",
                table: "webhook_deliveries",
                columns: new[] { "SubscriptionId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_webhook_subscriptions_PartnerId",
                table: "webhook_subscriptions",
                column: "PartnerId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "webhook_subscriptions");

            migrationBuilder.DropIndex(
                name: "IX_outbox_events_FannedOutAt",
                table: "outbox_events");

            migrationBuilder.DropColumn(
                name: "FannedOutAt",
                table: "outbox_events");
        }
    }
}
