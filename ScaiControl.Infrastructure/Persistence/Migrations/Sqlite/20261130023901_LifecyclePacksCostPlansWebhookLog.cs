using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LifecyclePacksCostPlansWebhookLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {


            migrationBuilder.AddColumn<string>(
                name: "DisabledAt",
                table: "webhook_subscriptions",
                type: "TEXT",
                maxLength: 33,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviousSecretPath",
                table: "webhook_subscriptions",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SecretPath",
                table: "webhook_subscriptions",
                type: "TEXT",
                maxLength: 300,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "UpdatedAt",
                table: "webhook_subscriptions",
                type: "TEXT",
                maxLength: 33,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "PackSubscriptionId",
                table: "subscriptions",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RateMinor",
                table: "subscriptions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "ScheduledPlanAt",
                table: "subscriptions",
                type: "TEXT",
                maxLength: 33,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ScheduledPlanId",
                table: "subscriptions",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TermEnd",
                table: "subscriptions",
                type: "TEXT",
                maxLength: 33,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TrialEndingNotifiedAt",
                table: "subscriptions",
                type: "TEXT",
                maxLength: 33,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MarginBasisPoints",
                table: "plans",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PriceRefreshedAt",
                table: "plans",
                type: "TEXT",
                maxLength: 33,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PricingModel",
                table: "plans",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "TermPeriods",
                table: "plans",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TrialEndBehavior",
                table: "plans",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "UnitCostMinor",
                table: "plans",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "local_secrets",
                columns: table => new
                {
                    Path = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Value = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    CreatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_local_secrets", x => x.Path);
                });

            migrationBuilder.CreateTable(
                name: "service_packs",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Pricing = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    FixedPriceMinor = table.Column<long>(type: "INTEGER", nullable: true),
                    DiscountBasisPoints = table.Column<int>(type: "INTEGER", nullable: true),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Interval = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    IsActive = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_service_packs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "subscription_charges",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    AmountMinor = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    PeriodStart = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    PeriodEnd = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    PlanChangeId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    InvoiceId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    CreatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_subscription_charges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_subscription_charges_subscriptions_SubscriptionId",
                        column: x => x.SubscriptionId,
                        principalTable: "subscriptions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "webhook_delivery_attempts",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    DeliveryId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AttemptNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    DurationMs = table.Column<long>(type: "INTEGER", nullable: false),
                    RequestHeaders = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    StatusCode = table.Column<int>(type: "INTEGER", nullable: true),
                    ResponseExcerpt = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_delivery_attempts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_webhook_delivery_attempts_webhook_deliveries_DeliveryId",
                        column: x => x.DeliveryId,
                        principalTable: "webhook_deliveries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_webhook_delivery_attempts_webhook_subscriptions_SubscriptionId",
                        column: x => x.SubscriptionId,
                        principalTable: "webhook_subscriptions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pack_subscriptions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PackId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PriceMinor = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Interval = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    CurrentPeriodStart = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    CurrentPeriodEnd = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    BillingAnchor = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    BilledThrough = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    CancellationReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CancelledAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    CreatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pack_subscriptions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_pack_subscriptions_service_packs_PackId",
                        column: x => x.PackId,
                        principalTable: "service_packs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_pack_subscriptions_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "service_pack_items",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PackId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ServiceId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PlanId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_service_pack_items", x => x.Id);
                    table.ForeignKey(
                        name: "FK_service_pack_items_plans_PlanId",
                        column: x => x.PlanId,
                        principalTable: "plans",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_service_pack_items_service_packs_PackId",
                        column: x => x.PackId,
                        principalTable: "service_packs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_service_pack_items_services_ServiceId",
                        column: x => x.ServiceId,
                        principalTable: "services",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });


            // Data: webhook signing secrets move from the row to the local secret store (resolved by path at use
            // time); the previous-secret column was never set through any API, so only the current secret moves.
            migrationBuilder.Sql("""
                INSERT INTO local_secrets ("Path", "Value", "CreatedAt")
                SELECT 'webhooks/' || "Id" || '/migrated', "Secret", "CreatedAt" FROM webhook_subscriptions;
                UPDATE webhook_subscriptions SET "SecretPath" = 'webhooks/' || "Id" || '/migrated', "UpdatedAt" = "CreatedAt";
                UPDATE subscriptions SET "RateMinor" = (SELECT p."PriceMinor" FROM plans p WHERE p."Id" = subscriptions."PlanId");
                """);

            migrationBuilder.DropColumn(
                name: "PreviousSecret",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "Secret",
                table: "webhook_subscriptions");

            migrationBuilder.CreateIndex(
                name: "IX_subscriptions_PackSubscriptionId",
                table: "subscriptions",
                column: "PackSubscriptionId");

            migrationBuilder.CreateIndex(
                name: "IX_subscriptions_ScheduledPlanId",
                table: "subscriptions",
                column: "ScheduledPlanId");

            migrationBuilder.CreateIndex(
                name: "IX_pack_subscriptions_PackId",
                table: "pack_subscriptions",
                column: "PackId");

            migrationBuilder.CreateIndex(
                name: "IX_pack_subscriptions_Status_BilledThrough",
                table: "pack_subscriptions",
                columns: new[] { "Status", "BilledThrough" });

            migrationBuilder.CreateIndex(
                name: "IX_pack_subscriptions_TenantId_Status",
                table: "pack_subscriptions",
                columns: new[] { "TenantId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_service_pack_items_PackId_ServiceId",
                table: "service_pack_items",
                columns: new[] { "PackId", "ServiceId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_service_pack_items_PlanId",
                table: "service_pack_items",
                column: "PlanId");

            migrationBuilder.CreateIndex(
                name: "IX_service_pack_items_ServiceId",
                table: "service_pack_items",
                column: "ServiceId");

            migrationBuilder.CreateIndex(
                name: "IX_service_packs_Code",
                table: "service_packs",
                column: "Code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_subscription_charges_SubscriptionId",
                table: "subscription_charges",
                column: "SubscriptionId");

            migrationBuilder.CreateIndex(
                name: "IX_subscription_charges_TenantId_InvoiceId",
                table: "subscription_charges",
                columns: new[] { "TenantId", "InvoiceId" });

            migrationBuilder.CreateIndex(
                name: "IX_webhook_delivery_attempts_DeliveryId",
                table: "webhook_delivery_attempts",
                column: "DeliveryId");

            migrationBuilder.CreateIndex(
                name: "IX_webhook_delivery_attempts_SubscriptionId_StartedAt",
                table: "webhook_delivery_attempts",
                columns: new[] { "SubscriptionId", "StartedAt" });

            migrationBuilder.AddForeignKey(
                name: "FK_subscriptions_pack_subscriptions_PackSubscriptionId",
                table: "subscriptions",
                column: "PackSubscriptionId",
                principalTable: "pack_subscriptions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_subscriptions_plans_ScheduledPlanId",
                table: "subscriptions",
                column: "ScheduledPlanId",
                principalTable: "plans",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Secret",
                table: "webhook_subscriptions",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            // Data: the current signing secret goes back into the row before the secret store's table is dropped; pack
            // children become plain subscriptions (the pack tables go) and scheduled plan changes are dropped.
            migrationBuilder.Sql("""
                UPDATE webhook_subscriptions SET "Secret" = COALESCE((SELECT s."Value" FROM local_secrets s WHERE s."Path" = webhook_subscriptions."SecretPath"), '');
                UPDATE subscriptions SET "PackSubscriptionId" = NULL, "ScheduledPlanId" = NULL, "ScheduledPlanAt" = NULL;
                """);

            migrationBuilder.DropForeignKey(
                name: "FK_subscriptions_pack_subscriptions_PackSubscriptionId",
                table: "subscriptions");

            migrationBuilder.DropForeignKey(
                name: "FK_subscriptions_plans_ScheduledPlanId",
                table: "subscriptions");

            migrationBuilder.DropTable(
                name: "local_secrets");

            migrationBuilder.DropTable(
                name: "pack_subscriptions");

            migrationBuilder.DropTable(
                name: "service_pack_items");

            migrationBuilder.DropTable(
                name: "subscription_charges");

            migrationBuilder.DropTable(
                name: "webhook_delivery_attempts");

            migrationBuilder.DropTable(
                name: "service_packs");

            migrationBuilder.DropIndex(
                name: "IX_subscriptions_PackSubscriptionId",
                table: "subscriptions");

            migrationBuilder.DropIndex(
                name: "IX_subscriptions_ScheduledPlanId",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "DisabledAt",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "PreviousSecretPath",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "SecretPath",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "PackSubscriptionId",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "RateMinor",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "ScheduledPlanAt",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "ScheduledPlanId",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "TermEnd",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "TrialEndingNotifiedAt",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "MarginBasisPoints",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "PriceRefreshedAt",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "PricingModel",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "TermPeriods",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "TrialEndBehavior",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "UnitCostMinor",
                table: "plans");

            migrationBuilder.AddColumn<string>(
                name: "PreviousSecret",
                table: "webhook_subscriptions",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

        }
    }
}
