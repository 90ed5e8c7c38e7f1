using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PartnerIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_subscriptions_PartnerId_Id",
                table: "subscriptions",
                columns: new[] { "PartnerId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_pack_subscriptions_PartnerId_Id",
                table: "pack_subscriptions",
                columns: new[] { "PartnerId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_subscriptions_PartnerId_Id",
                table: "subscriptions");

            migrationBuilder.DropIndex(
                name: "IX_pack_subscriptions_PartnerId_Id",
                table: "pack_subscriptions");
        }
    }
}
