using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CreditNotes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CreditReason",
                table: "invoices",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReferencedInvoiceId",
                table: "invoices",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "ReferencedInvoiceIssueDate",
                table: "invoices",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReferencedInvoiceNumber",
                table: "invoices",
                type: "TEXT",
                maxLength: 30,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TemplateHtmlSnapshot",
                table: "invoices",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CreditedLineId",
                table: "invoice_lines",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_invoices_ReferencedInvoiceId",
                table: "invoices",
                column: "ReferencedInvoiceId");

            migrationBuilder.CreateIndex(
                name: "IX_invoice_lines_CreditedLineId",
                table: "invoice_lines",
                column: "CreditedLineId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_invoices_ReferencedInvoiceId",
                table: "invoices");

            migrationBuilder.DropIndex(
                name: "IX_invoice_lines_CreditedLineId",
                table: "invoice_lines");

            migrationBuilder.DropColumn(
                name: "CreditReason",
                table: "invoices");

            migrationBuilder.DropColumn(
                name: "ReferencedInvoiceId",
                table: "invoices");

            migrationBuilder.DropColumn(
                name: "ReferencedInvoiceIssueDate",
                table: "invoices");

            migrationBuilder.DropColumn(
                name: "ReferencedInvoiceNumber",
                table: "invoices");

            migrationBuilder.DropColumn(
                name: "TemplateHtmlSnapshot",
                table: "invoices");

            migrationBuilder.DropColumn(
                name: "CreditedLineId",
                table: "invoice_lines");
        }
    }
}
