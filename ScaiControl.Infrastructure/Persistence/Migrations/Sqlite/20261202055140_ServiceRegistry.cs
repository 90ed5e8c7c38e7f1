using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ServiceRegistry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "registered_services",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    AppId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ParentSlug = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    BaseUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    HealthCheckUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    Capabilities = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Version = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    HeartbeatTtlSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    RegistrationStatus = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    HealthStatus = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    HealthReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    HealthChangedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    LastHeartbeatAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    LastHeartbeatStatus = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    LastHeartbeatDetails = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    LastProbeAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    LastProbeStatusCode = table.Column<int>(type: "INTEGER", nullable: true),
                    LastProbeError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    NextProbeAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    PassingStreak = table.Column<int>(type: "INTEGER", nullable: false),
                    WarningStreak = table.Column<int>(type: "INTEGER", nullable: false),
                    CriticalStreak = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_registered_services", x => x.Id);
                    table.ForeignKey(
                        name: "FK_registered_services_partners_PartnerId",
                        column: x => x.PartnerId,
                        principalTable: "partners",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "service_health_events",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ServiceId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    From = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    To = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ProbeStatusCode = table.Column<int>(type: "INTEGER", nullable: true),
                    At = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_service_health_events", x => x.Id);
                    table.ForeignKey(
                        name: "FK_service_health_events_registered_services_ServiceId",
                        column: x => x.ServiceId,
                        principalTable: "registered_services",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_registered_services_AppId",
                table: "registered_services",
                column: "AppId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_registered_services_NextProbeAt",
                table: "registered_services",
                column: "NextProbeAt");

            migrationBuilder.CreateIndex(
                name: "IX_registered_services_ParentSlug",
                table: "registered_services",
                column: "ParentSlug");

            migrationBuilder.CreateIndex(
                name: "IX_registered_services_PartnerId",
                table: "registered_services",
                column: "PartnerId");

            migrationBuilder.CreateIndex(
                name: "IX_registered_services_Slug",
                table: "registered_services",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_service_health_events_ServiceId_At",
                table: "service_health_events",
                columns: new[] { "ServiceId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "service_health_events");

            migrationBuilder.DropTable(
                name: "registered_services");
        }
    }
}
