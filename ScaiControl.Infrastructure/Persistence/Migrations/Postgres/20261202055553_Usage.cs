using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Usage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "meters",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ServiceId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Aggregation = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Unit = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    UniqueProperty = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    FiltersJson = table.Column<string>(type: "character varying(9000)", maxLength: 9000, nullable: false),
                    IsActive = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_meters", x => x.Id);
                    table.ForeignKey(
                        name: "FK_meters_services_ServiceId",
                        column: x => x.ServiceId,
                        principalTable: "services",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "usage_events",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Source = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    EventId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    PartnerId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    MeterId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    SubscriptionId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    QuantityMicro = table.Column<long>(type: "bigint", nullable: false),
                    PropertiesJson = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    UniqueValue = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    UnitCostMicroMinor = table.Column<long>(type: "bigint", nullable: true),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_usage_events", x => new { x.TenantId, x.Source, x.EventId });
                });

            migrationBuilder.CreateTable(
                name: "usage_rollups",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    SubscriptionId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    MeterId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Grain = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: false),
                    BucketStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PartnerId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    QuantityMicro = table.Column<long>(type: "bigint", nullable: false),
                    EventCount = table.Column<long>(type: "bigint", nullable: false),
                    MaxMicro = table.Column<long>(type: "bigint", nullable: false),
                    LatestMicro = table.Column<long>(type: "bigint", nullable: false),
                    LatestAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UniqueCount = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_usage_rollups", x => new { x.TenantId, x.SubscriptionId, x.MeterId, x.Grain, x.BucketStart });
                });

            migrationBuilder.CreateTable(
                name: "usage_unique_values",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    SubscriptionId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    MeterId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Day = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Value = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PartnerId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_usage_unique_values", x => new { x.TenantId, x.SubscriptionId, x.MeterId, x.Day, x.Value });
                });

            migrationBuilder.CreateTable(
                name: "plan_usage_charges",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    PlanId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    MeterId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Model = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    IncludedUnits = table.Column<long>(type: "bigint", nullable: false),
                    UnitPriceMicroMinor = table.Column<long>(type: "bigint", nullable: false),
                    TiersJson = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    PackageSize = table.Column<long>(type: "bigint", nullable: false),
                    PackagePriceMinor = table.Column<long>(type: "bigint", nullable: false),
                    MarginBasisPoints = table.Column<int>(type: "integer", nullable: false),
                    UnitCostMicroMinor = table.Column<long>(type: "bigint", nullable: true),
                    SoftLimitUnits = table.Column<long>(type: "bigint", nullable: true),
                    HardLimitUnits = table.Column<long>(type: "bigint", nullable: true),
                    RejectOverHardLimit = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_plan_usage_charges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_plan_usage_charges_meters_MeterId",
                        column: x => x.MeterId,
                        principalTable: "meters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_plan_usage_charges_plans_PlanId",
                        column: x => x.PlanId,
                        principalTable: "plans",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_meters_ServiceId_Code",
                table: "meters",
                columns: new[] { "ServiceId", "Code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_plan_usage_charges_MeterId",
                table: "plan_usage_charges",
                column: "MeterId");

            migrationBuilder.CreateIndex(
                name: "IX_plan_usage_charges_PlanId_MeterId",
                table: "plan_usage_charges",
                columns: new[] { "PlanId", "MeterId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_usage_events_TenantId_Id",
                table: "usage_events",
                columns: new[] { "TenantId", "Id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_usage_rollups_MeterId_Grain_BucketStart",
                table: "usage_rollups",
                columns: new[] { "MeterId", "Grain", "BucketStart" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "plan_usage_charges");

            migrationBuilder.DropTable(
                name: "usage_events");

            migrationBuilder.DropTable(
                name: "usage_rollups");

            migrationBuilder.DropTable(
                name: "usage_unique_values");

            migrationBuilder.DropTable(
                name: "meters");
        }
    }
}
