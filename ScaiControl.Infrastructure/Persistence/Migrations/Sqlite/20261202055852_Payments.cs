using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Payments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "invoice_accounts",
                columns: table => new
                {
                    InvoiceId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    InvoiceNumber = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    GrossMinor = table.Column<long>(type: "INTEGER", nullable: false),
                    CreditedMinor = table.Column<long>(type: "INTEGER", nullable: false),
                    PaidMinor = table.Column<long>(type: "INTEGER", nullable: false),
                    WrittenOffMinor = table.Column<long>(type: "INTEGER", nullable: false),
                    IssueDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    DueDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    PaymentTermsDays = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    IssuedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    PaidAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    OverdueAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    WrittenOffAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    UpdatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_invoice_accounts", x => x.InvoiceId);
                    table.ForeignKey(
                        name: "FK_invoice_accounts_invoices_InvoiceId",
                        column: x => x.InvoiceId,
                        principalTable: "invoices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "partner_payment_settings",
                columns: table => new
                {
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PaymentTermsDays = table.Column<int>(type: "INTEGER", nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CredentialsVaultPath = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RetryDays = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ReminderDays = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    SuspendAfterDays = table.Column<int>(type: "INTEGER", nullable: false),
                    FinalAfterDays = table.Column<int>(type: "INTEGER", nullable: false),
                    FinalAction = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_partner_payment_settings", x => x.PartnerId);
                    table.ForeignKey(
                        name: "FK_partner_payment_settings_partners_PartnerId",
                        column: x => x.PartnerId,
                        principalTable: "partners",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "payment_customers",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CustomerRef = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PaymentMethodRef = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    PaymentMethodLabel = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CreatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payment_customers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "provider_events",
                columns: table => new
                {
                    Provider = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    EventId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    InvoiceId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    ReceivedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_provider_events", x => new { x.Provider, x.EventId });
                });

            migrationBuilder.CreateTable(
                name: "tenant_payment_settings",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PaymentTermsDays = table.Column<int>(type: "INTEGER", nullable: true),
                    DunningPaused = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tenant_payment_settings", x => x.TenantId);
                    table.ForeignKey(
                        name: "FK_tenant_payment_settings_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dunning_cases",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    InvoiceId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    StartedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    RetriesDone = table.Column<int>(type: "INTEGER", nullable: false),
                    RemindersDone = table.Column<int>(type: "INTEGER", nullable: false),
                    HardDeclined = table.Column<bool>(type: "INTEGER", nullable: false),
                    LastDeclineCode = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    SuspendedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    EndedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: true),
                    UpdatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dunning_cases", x => x.Id);
                    table.ForeignKey(
                        name: "FK_dunning_cases_invoice_accounts_InvoiceId",
                        column: x => x.InvoiceId,
                        principalTable: "invoice_accounts",
                        principalColumn: "InvoiceId",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_dunning_cases_subscriptions_SubscriptionId",
                        column: x => x.SubscriptionId,
                        principalTable: "subscriptions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "payment_transactions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    InvoiceId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AmountMinor = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    OccurredAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    RecordedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    RecordedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    FailureCode = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payment_transactions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_payment_transactions_invoice_accounts_InvoiceId",
                        column: x => x.InvoiceId,
                        principalTable: "invoice_accounts",
                        principalColumn: "InvoiceId",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "provider_payments",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    InvoiceId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ProviderRef = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    AmountMinor = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    RedirectUrl = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    FailureCode = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CreatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_provider_payments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_provider_payments_invoice_accounts_InvoiceId",
                        column: x => x.InvoiceId,
                        principalTable: "invoice_accounts",
                        principalColumn: "InvoiceId",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "dunning_steps",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CaseId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PartnerId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    InvoiceId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    SubscriptionId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Step = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    At = table.Column<string>(type: "TEXT", maxLength: 33, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dunning_steps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_dunning_steps_dunning_cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "dunning_cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_dunning_cases_InvoiceId",
                table: "dunning_cases",
                column: "InvoiceId");

            migrationBuilder.CreateIndex(
                name: "IX_dunning_cases_Status",
                table: "dunning_cases",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_dunning_cases_SubscriptionId_InvoiceId",
                table: "dunning_cases",
                columns: new[] { "SubscriptionId", "InvoiceId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_dunning_steps_CaseId",
                table: "dunning_steps",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_dunning_steps_InvoiceId",
                table: "dunning_steps",
                column: "InvoiceId");

            migrationBuilder.CreateIndex(
                name: "IX_invoice_accounts_Status_DueDate",
                table: "invoice_accounts",
                columns: new[] { "Status", "DueDate" });

            migrationBuilder.CreateIndex(
                name: "IX_invoice_accounts_TenantId_Status",
                table: "invoice_accounts",
                columns: new[] { "TenantId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_payment_customers_TenantId_Provider",
                table: "payment_customers",
                columns: new[] { "TenantId", "Provider" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_payment_transactions_InvoiceId_Provider_Kind_Reference",
                table: "payment_transactions",
                columns: new[] { "InvoiceId", "Provider", "Kind", "Reference" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_provider_payments_InvoiceId",
                table: "provider_payments",
                column: "InvoiceId");

            migrationBuilder.CreateIndex(
                name: "IX_provider_payments_Provider_ProviderRef",
                table: "provider_payments",
                columns: new[] { "Provider", "ProviderRef" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dunning_steps");

            migrationBuilder.DropTable(
                name: "partner_payment_settings");

            migrationBuilder.DropTable(
                name: "payment_customers");

            migrationBuilder.DropTable(
                name: "payment_transactions");

            migrationBuilder.DropTable(
                name: "provider_events");

            migrationBuilder.DropTable(
                name: "provider_payments");

            migrationBuilder.DropTable(
                name: "tenant_payment_settings");

            migrationBuilder.DropTable(
                name: "dunning_cases");

            migrationBuilder.DropTable(
                name: "invoice_accounts");
        }
    }
}
