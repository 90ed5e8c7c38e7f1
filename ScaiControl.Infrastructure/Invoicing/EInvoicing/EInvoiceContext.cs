namespace ScaiControl.Infrastructure.Invoicing.EInvoicing;

/// <summary>
/// What an e-invoice needs that the <see cref="ScaiControl.Domain.Invoicing.Invoice"/> does not hold (yet). Each value
/// is optional here; a format that requires one refuses with <see cref="EInvoiceDataMissingException"/> naming it.
/// </summary>
/// <param name="BuyerReference">BT-10, the reference the buyer asked to be quoted (e.g. a German Leitweg-ID). Required
/// by XRechnung (BR-DE-15) and by Peppol BIS (PEPPOL-EN16931-R003, as we send no order reference BT-13).</param>
/// <param name="PrecedingInvoiceNumber">BT-25, the invoice a credit note corrects. Required for credit notes.</param>
/// <param name="PrecedingInvoiceIssueDate">BT-26, its issue date.</param>
/// <param name="SellerContactName">BT-41 seller contact point; defaults to the seller's legal name.</param>
/// <param name="SellerContactPhone">BT-42 seller contact telephone. Required by XRechnung (BR-DE-6).</param>
/// <param name="SellerLegalRegistrationId">BT-30 seller legal registration identifier, e.g. the Dutch KvK number with
/// scheme "0106". Required when the document may not carry the seller VAT id (category O, BR-O-02), because the
/// buyer must still be able to identify the seller (BR-CO-26).</param>
/// <param name="BuyerLegalRegistrationId">BT-47 buyer legal registration identifier, optional.</param>
public sealed record EInvoiceContext(
    string? BuyerReference = null,
    string? PrecedingInvoiceNumber = null,
    DateOnly? PrecedingInvoiceIssueDate = null,
    string? SellerContactName = null,
    string? SellerContactPhone = null,
    EInvoiceIdentifier? SellerLegalRegistrationId = null,
    EInvoiceIdentifier? BuyerLegalRegistrationId = null);

/// <summary>
/// The document lacks a value the chosen format requires (e.g. BT-10 for XRechnung). An expected failure of the
/// export (HTTP 422), not a bug: the message names the business terms and the rules that require them.
/// </summary>
public sealed class EInvoiceDataMissingException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="format"/> with one line per missing value.</summary>
    public EInvoiceDataMissingException(string format, IReadOnlyList<string> missing)
        : base($"Cannot write the {format} e-invoice: {string.Join("; ", missing)}.")
    {
        Format = format;
        Missing = missing;
    }

    /// <summary>The format that was asked for.</summary>
    public string Format { get; }

    /// <summary>What is missing, one entry per business term, each naming the rule.</summary>
    public IReadOnlyList<string> Missing { get; }
}
