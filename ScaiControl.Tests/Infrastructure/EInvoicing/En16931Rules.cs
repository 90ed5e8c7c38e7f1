using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using System.Xml.XPath;
using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// The business rules our documents are checked against, each written from the rule text of EN 16931-1:2017 (BR-*,
/// BR-CO-*, BR-S-*, BR-AE-*, BR-O-*, BR-DEC-*, BR-CL-*), XRechnung 3.0 (BR-DE-*) and Peppol BIS Billing 3.0
/// (PEPPOL-EN16931-R*), evaluated on the parsed XML through <see cref="EInvoiceView"/>. Each returns its violations
/// (empty = the rule holds). Rules only about document-level allowances and charges (BG-20/BG-21, e.g. BR-31..BR-40,
/// BR-S-03/04/06/07) are not written: we emit none; the breakdown rules (BR-S-08, BR-AE-08, BR-O-08) do count them.
/// BR-CO-17 and PEPPOL-EN16931-R120 are checked exactly (the official rules allow a small tolerance).
/// </summary>
internal static partial class En16931Rules
{
    /// <summary>The EN 16931 rules above (BR-*, BR-CO-*, BR-S-*, BR-AE-*, BR-O-*, BR-DEC-*, BR-CL-*), by id.</summary>
    public static IReadOnlyList<(string Id, Func<EInvoiceView, IEnumerable<string>> Check)> En16931 { get; } =
    [
        ("BR-01", BR_01),
        ("BR-02", BR_02),
        ("BR-03", BR_03),
        ("BR-04", BR_04),
        ("BR-05", BR_05),
        ("BR-06", BR_06),
        ("BR-07", BR_07),
        ("BR-08", BR_08),
        ("BR-09", BR_09),
        ("BR-10", BR_10),
        ("BR-11", BR_11),
        ("BR-12", BR_12),
        ("BR-13", BR_13),
        ("BR-14", BR_14),
        ("BR-15", BR_15),
        ("BR-16", BR_16),
        ("BR-21", BR_21),
        ("BR-22", BR_22),
        ("BR-23", BR_23),
        ("BR-24", BR_24),
        ("BR-25", BR_25),
        ("BR-26", BR_26),
        ("BR-27", BR_27),
        ("BR-29", BR_29),
        ("BR-30", BR_30),
        ("BR-41", BR_41),
        ("BR-42", BR_42),
        ("BR-45", BR_45),
        ("BR-46", BR_46),
        ("BR-47", BR_47),
        ("BR-48", BR_48),
        ("BR-49", BR_49),
        ("BR-50", BR_50),
        ("BR-55", BR_55),
        ("BR-61", BR_61),
        ("BR-62", BR_62),
        ("BR-63", BR_63),
        ("BR-CO-04", BR_CO_04),
        ("BR-CO-09", BR_CO_09),
        ("BR-CO-10", BR_CO_10),
        ("BR-CO-13", BR_CO_13),
        ("BR-CO-14", BR_CO_14),
        ("BR-CO-15", BR_CO_15),
        ("BR-CO-16", BR_CO_16),
        ("BR-CO-17", BR_CO_17),
        ("BR-CO-18", BR_CO_18),
        ("BR-CO-19", BR_CO_19),
        ("BR-CO-20", BR_CO_20),
        ("BR-CO-23", BR_CO_23),
        ("BR-CO-25", BR_CO_25),
        ("BR-CO-26", BR_CO_26),
        ("BR-S-01", BR_S_01),
        ("BR-S-02", BR_S_02),
        ("BR-S-05", BR_S_05),
        ("BR-S-08", BR_S_08),
        ("BR-S-09", BR_S_09),
        ("BR-S-10", BR_S_10),
        ("BR-AE-01", BR_AE_01),
        ("BR-AE-02", BR_AE_02),
        ("BR-AE-05", BR_AE_05),
        ("BR-AE-08", BR_AE_08),
        ("BR-AE-09", BR_AE_09),
        ("BR-AE-10", BR_AE_10),
        ("BR-O-01", BR_O_01),
        ("BR-O-02", BR_O_02),
        ("BR-O-05", BR_O_05),
        ("BR-O-08", BR_O_08),
        ("BR-O-09", BR_O_09),
        ("BR-O-10", BR_O_10),
        ("BR-O-11", BR_O_11),
        ("BR-O-12", BR_O_12),
        ("BR-CL-01", BR_CL_01),
        ("BR-CL-04", BR_CL_04),
        ("BR-CL-14", BR_CL_14),
        ("BR-CL-16", BR_CL_16),
        ("BR-CL-18", BR_CL_18),
        ("BR-CL-22", BR_CL_22),
        ("BR-CL-23", BR_CL_23),
        ("BR-CL-25", BR_CL_25),
    ];

    private static readonly string[] NoViolation = [];

    private static string[] Require(bool holds, string message) => holds ? NoViolation : [message];

    private static bool Filled(string? value) => !string.IsNullOrWhiteSpace(value);

    private static int Decimals(string text) => text.Contains('.', StringComparison.Ordinal) ? text.Length - text.IndexOf('.', StringComparison.Ordinal) - 1 : 0;

    private static decimal Round2(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    private static decimal Sum(IEnumerable<decimal?> values) => values.Sum(v => v ?? 0m);

    private static IEnumerable<EInvoiceView.Node> LinesOf(EInvoiceView v, string category) => v.Lines.Where(l => l.Value("BT-151") == category);

    private static IEnumerable<EInvoiceView.Node> GroupsOf(EInvoiceView v, string category) => v.Breakdown.Where(b => b.Value("BT-118") == category);

    // ---- Core: mandatory content (BR-01 .. BR-16) -------------------------------------------------------------

    /// <summary>BR-01: An Invoice shall have a Specification identifier (BT-24).</summary>
    public static IEnumerable<string> BR_01(EInvoiceView v) => Require(Filled(v.Value("BT-24")), "BT-24 missing");

    /// <summary>BR-02: An Invoice shall have an Invoice number (BT-1).</summary>
    public static IEnumerable<string> BR_02(EInvoiceView v) => Require(Filled(v.Value("BT-1")), "BT-1 missing");

    /// <summary>BR-03: An Invoice shall have an Invoice issue date (BT-2).</summary>
    public static IEnumerable<string> BR_03(EInvoiceView v) => Require(Filled(v.Value("BT-2")), "BT-2 missing");

    /// <summary>BR-04: An Invoice shall have an Invoice type code (BT-3).</summary>
    public static IEnumerable<string> BR_04(EInvoiceView v) => Require(Filled(v.Value("BT-3")), "BT-3 missing");

    /// <summary>BR-05: An Invoice shall have an Invoice currency code (BT-5).</summary>
    public static IEnumerable<string> BR_05(EInvoiceView v) => Require(Filled(v.Value("BT-5")), "BT-5 missing");

    /// <summary>BR-06: An Invoice shall contain the Seller name (BT-27).</summary>
    public static IEnumerable<string> BR_06(EInvoiceView v) => Require(Filled(v.Value("BT-27")), "BT-27 missing");

    /// <summary>BR-07: An Invoice shall contain the Buyer name (BT-44).</summary>
    public static IEnumerable<string> BR_07(EInvoiceView v) => Require(Filled(v.Value("BT-44")), "BT-44 missing");

    /// <summary>BR-08: An Invoice shall contain the Seller postal address (BG-5).</summary>
    public static IEnumerable<string> BR_08(EInvoiceView v) => Require(v.Has("BG-5"), "BG-5 missing");

    /// <summary>BR-09: The Seller postal address (BG-5) shall contain a Seller country code (BT-40).</summary>
    public static IEnumerable<string> BR_09(EInvoiceView v) => Require(Filled(v.Value("BT-40")), "BT-40 missing");

    /// <summary>BR-10: An Invoice shall contain the Buyer postal address (BG-8).</summary>
    public static IEnumerable<string> BR_10(EInvoiceView v) => Require(v.Has("BG-8"), "BG-8 missing");

    /// <summary>BR-11: The Buyer postal address shall contain a Buyer country code (BT-55).</summary>
    public static IEnumerable<string> BR_11(EInvoiceView v) => Require(Filled(v.Value("BT-55")), "BT-55 missing");

    /// <summary>BR-12: An Invoice shall have the Sum of Invoice line net amount (BT-106).</summary>
    public static IEnumerable<string> BR_12(EInvoiceView v) => Require(Filled(v.Value("BT-106")), "BT-106 missing");

    /// <summary>BR-13: An Invoice shall have the Invoice total amount without VAT (BT-109).</summary>
    public static IEnumerable<string> BR_13(EInvoiceView v) => Require(Filled(v.Value("BT-109")), "BT-109 missing");

    /// <summary>BR-14: An Invoice shall have the Invoice total amount with VAT (BT-112).</summary>
    public static IEnumerable<string> BR_14(EInvoiceView v) => Require(Filled(v.Value("BT-112")), "BT-112 missing");

    /// <summary>BR-15: An Invoice shall have the Amount due for payment (BT-115).</summary>
    public static IEnumerable<string> BR_15(EInvoiceView v) => Require(Filled(v.Value("BT-115")), "BT-115 missing");

    /// <summary>BR-16: An Invoice shall have at least one Invoice line (BG-25).</summary>
    public static IEnumerable<string> BR_16(EInvoiceView v) => Require(v.Lines.Count > 0, "no BG-25");

    // ---- Lines, periods, allowances, breakdown, payment (BR-21 .. BR-63) --------------------------------------

    private static IEnumerable<string> EachLine(EInvoiceView v, Func<EInvoiceView.Node, bool> holds, string message) =>
        v.Lines.Where(l => !holds(l)).Select(l => $"line {l.Value("BT-126")}: {message}");

    /// <summary>BR-21: Each Invoice line (BG-25) shall have an Invoice line identifier (BT-126).</summary>
    public static IEnumerable<string> BR_21(EInvoiceView v) => EachLine(v, l => Filled(l.Value("BT-126")), "BT-126 missing");

    /// <summary>BR-22: Each Invoice line (BG-25) shall have an Invoiced quantity (BT-129).</summary>
    public static IEnumerable<string> BR_22(EInvoiceView v) => EachLine(v, l => Filled(l.Value("BT-129")), "BT-129 missing");

    /// <summary>BR-23: An Invoice line (BG-25) shall have an Invoiced quantity unit of measure code (BT-130).</summary>
    public static IEnumerable<string> BR_23(EInvoiceView v) => EachLine(v, l => Filled(l.Value("BT-130")), "BT-130 missing");

    /// <summary>BR-24: Each Invoice line (BG-25) shall have an Invoice line net amount (BT-131).</summary>
    public static IEnumerable<string> BR_24(EInvoiceView v) => EachLine(v, l => Filled(l.Value("BT-131")), "BT-131 missing");

    /// <summary>BR-25: Each Invoice line (BG-25) shall contain the Item name (BT-153).</summary>
    public static IEnumerable<string> BR_25(EInvoiceView v) => EachLine(v, l => Filled(l.Value("BT-153")), "BT-153 missing");

    /// <summary>BR-26: Each Invoice line (BG-25) shall contain the Item net price (BT-146).</summary>
    public static IEnumerable<string> BR_26(EInvoiceView v) => EachLine(v, l => Filled(l.Value("BT-146")), "BT-146 missing");

    /// <summary>BR-27: The Item net price (BT-146) shall NOT be negative.</summary>
    public static IEnumerable<string> BR_27(EInvoiceView v) => EachLine(v, l => l.Amount("BT-146") >= 0, "BT-146 negative");

    /// <summary>BR-29: If both Invoicing period start date (BT-73) and end date (BT-74) are given then the end date shall be later or equal to the start date.</summary>
    public static IEnumerable<string> BR_29(EInvoiceView v)
    {
        var (start, end) = (v.Root.Date("BT-73"), v.Root.Date("BT-74"));
        return Require(start is null || end is null || end >= start, $"BT-74 {end} before BT-73 {start}");
    }

    /// <summary>BR-30: If both Invoice line period start date (BT-134) and end date (BT-135) are given then the end date shall be later or equal to the start date.</summary>
    public static IEnumerable<string> BR_30(EInvoiceView v) =>
        EachLine(v, l => l.Date("BT-134") is not { } s || l.Date("BT-135") is not { } e || e >= s, "BT-135 before BT-134");

    private static IEnumerable<string> EachLineAllowance(EInvoiceView v, Func<EInvoiceView.Node, bool> holds, string message) =>
        v.Lines.SelectMany(l => EInvoiceView.LineAllowances(l).Where(a => !holds(a)).Select(_ => $"line {l.Value("BT-126")}: {message}"));

    /// <summary>BR-41: Each Invoice line allowance (BG-27) shall have an Invoice line allowance amount (BT-136).</summary>
    public static IEnumerable<string> BR_41(EInvoiceView v) => EachLineAllowance(v, a => Filled(a.Value("BT-136")), "BT-136 missing");

    /// <summary>BR-42: Each Invoice line allowance (BG-27) shall have an Invoice line allowance reason (BT-139) or an Invoice line allowance reason code (BT-140).</summary>
    public static IEnumerable<string> BR_42(EInvoiceView v) =>
        EachLineAllowance(v, a => Filled(a.Value("BT-139")) || Filled(a.Value("BT-140")), "neither BT-139 nor BT-140");

    private static IEnumerable<string> EachGroup(EInvoiceView v, Func<EInvoiceView.Node, bool> holds, string message) =>
        v.Breakdown.Where(b => !holds(b)).Select(b => $"BG-23 {b.Value("BT-118")}/{b.Value("BT-119")}: {message}");

    /// <summary>BR-45: Each VAT breakdown (BG-23) shall have a VAT category taxable amount (BT-116).</summary>
    public static IEnumerable<string> BR_45(EInvoiceView v) => EachGroup(v, b => Filled(b.Value("BT-116")), "BT-116 missing");

    /// <summary>BR-46: Each VAT breakdown (BG-23) shall have a VAT category tax amount (BT-117).</summary>
    public static IEnumerable<string> BR_46(EInvoiceView v) => EachGroup(v, b => Filled(b.Value("BT-117")), "BT-117 missing");

    /// <summary>BR-47: Each VAT breakdown (BG-23) shall be defined through a VAT category code (BT-118).</summary>
    public static IEnumerable<string> BR_47(EInvoiceView v) => EachGroup(v, b => Filled(b.Value("BT-118")), "BT-118 missing");

    /// <summary>BR-48: Each VAT breakdown (BG-23) shall have a VAT category rate (BT-119), except if the Invoice is not subject to VAT.</summary>
    public static IEnumerable<string> BR_48(EInvoiceView v) => EachGroup(v, b => b.Value("BT-118") == "O" || Filled(b.Value("BT-119")), "BT-119 missing");

    /// <summary>BR-49: A Payment instruction (BG-16) shall specify the Payment means type code (BT-81).</summary>
    public static IEnumerable<string> BR_49(EInvoiceView v) => Require(!v.Has("BG-16") || Filled(v.Value("BT-81")), "BG-16 without BT-81");

    /// <summary>BR-50: A Payment account identifier (BT-84) shall be present if Credit transfer (BG-17) information is provided in the Invoice.</summary>
    public static IEnumerable<string> BR_50(EInvoiceView v) => Require(!v.Has("BG-17") || Filled(v.Value("BT-84")), "BG-17 without BT-84");

    /// <summary>BR-55: Each Preceding Invoice reference (BG-3) shall contain a Preceding Invoice reference (BT-25).</summary>
    public static IEnumerable<string> BR_55(EInvoiceView v) => Require(!v.Has("BG-3") || Filled(v.Value("BT-25")), "BG-3 without BT-25");

    /// <summary>BR-61: If the Payment means type code (BT-81) means SEPA credit transfer, Local credit transfer or Non-SEPA international credit transfer, the Payment account identifier (BT-84) shall be present.</summary>
    public static IEnumerable<string> BR_61(EInvoiceView v) =>
        Require(v.Value("BT-81") is not ("30" or "58") || Filled(v.Value("BT-84")), $"BT-81 {v.Value("BT-81")} without BT-84");

    /// <summary>BR-62: The Seller electronic address (BT-34) shall have a Scheme identifier.</summary>
    public static IEnumerable<string> BR_62(EInvoiceView v) => Require(!v.Has("BT-34") || Filled(v.Value("BT-34-1")), "BT-34 without scheme");

    /// <summary>BR-63: The Buyer electronic address (BT-49) shall have a Scheme identifier.</summary>
    public static IEnumerable<string> BR_63(EInvoiceView v) => Require(!v.Has("BT-49") || Filled(v.Value("BT-49-1")), "BT-49 without scheme");

    // ---- Conditions and calculations (BR-CO-*) ----------------------------------------------------------------

    /// <summary>BR-CO-04: Each Invoice line (BG-25) shall be categorized with an Invoiced item VAT category code (BT-151).</summary>
    public static IEnumerable<string> BR_CO_04(EInvoiceView v) => EachLine(v, l => Filled(l.Value("BT-151")), "BT-151 missing");

    /// <summary>BR-CO-09: The Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) shall have a prefix in accordance with ISO code ISO 3166-1 alpha-2 by which the country of issue may be identified. Nevertheless, Greece may use the prefix 'EL'.</summary>
    public static IEnumerable<string> BR_CO_09(EInvoiceView v) => new[] { "BT-31", "BT-63", "BT-48" }
        .SelectMany(t => v.Values(t).Select(id => (t, id)))
        .Where(x => x.id.Length < 3 || !(Countries.IsKnown(x.id[..2]) || x.id[..2] == "EL"))
        .Select(x => $"{x.t} '{x.id}' has no ISO 3166-1 prefix");

    /// <summary>BR-CO-10: Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131).</summary>
    public static IEnumerable<string> BR_CO_10(EInvoiceView v)
    {
        var sum = Sum(v.Lines.Select(l => l.Amount("BT-131")));
        return Require(v.Amount("BT-106") == sum, $"BT-106 {v.Amount("BT-106")} != Σ BT-131 {sum}");
    }

    /// <summary>BR-CO-13: Invoice total amount without VAT (BT-109) = Σ Invoice line net amount (BT-131) - Sum of allowances on document level (BT-107) + Sum of charges on document level (BT-108).</summary>
    public static IEnumerable<string> BR_CO_13(EInvoiceView v)
    {
        var expected = Sum(v.Lines.Select(l => l.Amount("BT-131"))) - (v.Amount("BT-107") ?? 0m) + (v.Amount("BT-108") ?? 0m);
        return Require(v.Amount("BT-109") == expected, $"BT-109 {v.Amount("BT-109")} != {expected}");
    }

    /// <summary>BR-CO-14: Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117).</summary>
    public static IEnumerable<string> BR_CO_14(EInvoiceView v)
    {
        var sum = Sum(v.Breakdown.Select(b => b.Amount("BT-117")));
        return Require(v.Amount("BT-110") == sum, $"BT-110 {v.Amount("BT-110")} != Σ BT-117 {sum}");
    }

    /// <summary>BR-CO-15: Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT amount (BT-110).</summary>
    public static IEnumerable<string> BR_CO_15(EInvoiceView v)
    {
        var expected = (v.Amount("BT-109") ?? 0m) + (v.Amount("BT-110") ?? 0m);
        return Require(v.Amount("BT-112") == expected, $"BT-112 {v.Amount("BT-112")} != BT-109 + BT-110 = {expected}");
    }

    /// <summary>BR-CO-16: Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) - Paid amount (BT-113) + Rounding amount (BT-114).</summary>
    public static IEnumerable<string> BR_CO_16(EInvoiceView v)
    {
        var expected = (v.Amount("BT-112") ?? 0m) - (v.Amount("BT-113") ?? 0m) + (v.Amount("BT-114") ?? 0m);
        return Require(v.Amount("BT-115") == expected, $"BT-115 {v.Amount("BT-115")} != {expected}");
    }

    /// <summary>BR-CO-17: VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category rate (BT-119) / 100), rounded to two decimals.</summary>
    public static IEnumerable<string> BR_CO_17(EInvoiceView v) => EachGroup(
        v,
        b => b.Amount("BT-119") is not { } rate || b.Amount("BT-117") == Round2((b.Amount("BT-116") ?? 0m) * rate / 100m),
        "BT-117 != BT-116 × BT-119 / 100");

    /// <summary>BR-CO-18: An Invoice shall at least have one VAT breakdown group (BG-23).</summary>
    public static IEnumerable<string> BR_CO_18(EInvoiceView v) => Require(v.Breakdown.Count > 0, "no BG-23");

    /// <summary>BR-CO-19: If Invoicing period (BG-14) is used, the Invoicing period start date (BT-73) or the Invoicing period end date (BT-74) shall be filled, or both.</summary>
    public static IEnumerable<string> BR_CO_19(EInvoiceView v) => Require(!v.Has("BG-14") || Filled(v.Value("BT-73")) || Filled(v.Value("BT-74")), "empty BG-14");

    /// <summary>BR-CO-20: If Invoice line period (BG-26) is used, the Invoice line period start date (BT-134) or the Invoice line period end date (BT-135) shall be filled, or both.</summary>
    public static IEnumerable<string> BR_CO_20(EInvoiceView v) => EachLine(v, l => !l.Has("BG-26") || Filled(l.Value("BT-134")) || Filled(l.Value("BT-135")), "empty BG-26");

    /// <summary>BR-CO-23: Each Invoice line allowance (BG-27) shall contain an Invoice line allowance reason (BT-139) or an Invoice line allowance reason code (BT-140), or both.</summary>
    public static IEnumerable<string> BR_CO_23(EInvoiceView v) => BR_42(v);

    /// <summary>BR-CO-25: In case the Amount due for payment (BT-115) is positive, either the Payment due date (BT-9) or the Payment terms (BT-20) shall be present.</summary>
    /// <remarks>As the official UBL schematron binds it: on the UBL Invoice root only (a UBL CreditNote has no cbc:DueDate).</remarks>
    public static IEnumerable<string> BR_CO_25(EInvoiceView v) => Require(
        (v.Syntax == Syntax.Ubl && v.Xml.Root!.Name.LocalName == "CreditNote") || !(v.Amount("BT-115") > 0) || Filled(v.Value("BT-9")) || Filled(v.Value("BT-20")),
        "positive BT-115 without BT-9 or BT-20");

    /// <summary>BR-CO-26: In order for the buyer to automatically identify a supplier, the Seller identifier (BT-29), the Seller legal registration identifier (BT-30) and/or the Seller VAT identifier (BT-31) shall be present.</summary>
    public static IEnumerable<string> BR_CO_26(EInvoiceView v) =>
        Require(Filled(v.Value("BT-29")) || Filled(v.Value("BT-30")) || Filled(v.Value("BT-31")), "none of BT-29, BT-30, BT-31");

    // ---- Standard rated (BR-S-*) ------------------------------------------------------------------------------

    /// <summary>BR-S-01: An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code is "Standard rated" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with "Standard rated".</summary>
    public static IEnumerable<string> BR_S_01(EInvoiceView v) => Require(!LinesOf(v, "S").Any() || GroupsOf(v, "S").Any(), "S lines but no S group");

    /// <summary>BR-S-02: An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is "Standard rated" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).</summary>
    public static IEnumerable<string> BR_S_02(EInvoiceView v) =>
        Require(!LinesOf(v, "S").Any() || Filled(v.Value("BT-31")) || Filled(v.Value("BT-32")) || Filled(v.Value("BT-63")), "S lines without BT-31/BT-32/BT-63");

    /// <summary>BR-S-05: In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is "Standard rated" the Invoiced item VAT rate (BT-152) shall be greater than zero.</summary>
    public static IEnumerable<string> BR_S_05(EInvoiceView v) =>
        LinesOf(v, "S").Where(l => !(l.Amount("BT-152") > 0)).Select(l => $"line {l.Value("BT-126")}: BT-152 {l.Value("BT-152")} not > 0");

    /// <summary>BR-S-08: For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is "Standard rated", the VAT category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts (BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is "Standard rated" and the VAT rate (BT-152, BT-103, BT-96) equals the VAT category rate (BT-119).</summary>
    public static IEnumerable<string> BR_S_08(EInvoiceView v) => GroupsOf(v, "S")
        .Select(b => (b, expected: CategoryBase(v, "S", b.Amount("BT-119"))))
        .Where(x => x.b.Amount("BT-116") != x.expected)
        .Select(x => $"S {x.b.Value("BT-119")}: BT-116 {x.b.Value("BT-116")} != {x.expected}");

    /// <summary>BR-S-09: The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is "Standard rated" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119).</summary>
    public static IEnumerable<string> BR_S_09(EInvoiceView v) => GroupsOf(v, "S")
        .Where(b => b.Amount("BT-117") != Round2((b.Amount("BT-116") ?? 0m) * (b.Amount("BT-119") ?? 0m) / 100m))
        .Select(b => $"S {b.Value("BT-119")}: BT-117 {b.Value("BT-117")} wrong");

    /// <summary>BR-S-10: A VAT breakdown (BG-23) with VAT Category code (BT-118) "Standard rate" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).</summary>
    public static IEnumerable<string> BR_S_10(EInvoiceView v) =>
        GroupsOf(v, "S").Where(b => b.Has("BT-120") || b.Has("BT-121")).Select(b => $"S {b.Value("BT-119")} has an exemption reason");

    // ---- Reverse charge (BR-AE-*) -----------------------------------------------------------------------------

    /// <summary>BR-AE-01: An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is "Reverse charge" shall contain in the VAT Breakdown (BG-23) exactly one VAT category code (BT-118) equal with "VAT reverse charge".</summary>
    public static IEnumerable<string> BR_AE_01(EInvoiceView v) => Require(!LinesOf(v, "AE").Any() || GroupsOf(v, "AE").Count() == 1, "AE lines need exactly one AE group");

    /// <summary>BR-AE-02: An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is "Reverse charge" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) and/or the Buyer legal registration identifier (BT-47).</summary>
    public static IEnumerable<string> BR_AE_02(EInvoiceView v) => Require(
        !LinesOf(v, "AE").Any()
        || ((Filled(v.Value("BT-31")) || Filled(v.Value("BT-32")) || Filled(v.Value("BT-63"))) && (Filled(v.Value("BT-48")) || Filled(v.Value("BT-47")))),
        "AE needs a seller VAT/tax id and a buyer VAT id or legal registration id");

    /// <summary>BR-AE-05: In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is "Reverse charge" the Invoiced item VAT rate (BT-152) shall be 0 (zero).</summary>
    public static IEnumerable<string> BR_AE_05(EInvoiceView v) =>
        LinesOf(v, "AE").Where(l => l.Amount("BT-152") != 0m).Select(l => $"line {l.Value("BT-126")}: BT-152 {l.Value("BT-152")} != 0");

    /// <summary>BR-AE-08: In a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Reverse charge" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are "Reverse charge".</summary>
    public static IEnumerable<string> BR_AE_08(EInvoiceView v) => TaxableIsLineSum(v, "AE");

    /// <summary>BR-AE-09: The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Reverse charge" shall be 0 (zero).</summary>
    public static IEnumerable<string> BR_AE_09(EInvoiceView v) => GroupsOf(v, "AE").Where(b => b.Amount("BT-117") != 0m).Select(b => $"AE BT-117 {b.Value("BT-117")} != 0");

    /// <summary>BR-AE-10: A VAT breakdown (BG-23) with VAT Category code (BT-118) "Reverse charge" shall have a VAT exemption reason code (BT-121), meaning "Reverse charge" or the VAT exemption reason text (BT-120) "Reverse charge" (or the equivalent standard text in another language).</summary>
    /// <remarks>A text in another language cannot be judged here: any BT-120 is accepted when there is no BT-121, as the official schematron does; a BT-121 must be VATEX-EU-AE.</remarks>
    public static IEnumerable<string> BR_AE_10(EInvoiceView v) => ExemptionMeans(v, "AE", "VATEX-EU-AE");

    // ---- Not subject to VAT (BR-O-*) --------------------------------------------------------------------------

    /// <summary>BR-O-01: An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is "Not subject to VAT" shall contain exactly one VAT breakdown group (BG-23) with the VAT category code (BT-118) equal to "Not subject to VAT".</summary>
    public static IEnumerable<string> BR_O_01(EInvoiceView v) => Require(!LinesOf(v, "O").Any() || GroupsOf(v, "O").Count() == 1, "O lines need exactly one O group");

    /// <summary>BR-O-02: An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is "Not subject to VAT" shall not contain the Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) or the Buyer VAT identifier (BT-48).</summary>
    public static IEnumerable<string> BR_O_02(EInvoiceView v) =>
        Require(!LinesOf(v, "O").Any() || !(v.Has("BT-31") || v.Has("BT-63") || v.Has("BT-48")), "O lines with BT-31, BT-63 or BT-48");

    /// <summary>BR-O-05: An Invoice line (BG-25) where the VAT category code (BT-151) is "Not subject to VAT" shall not contain an Invoiced item VAT rate (BT-152).</summary>
    public static IEnumerable<string> BR_O_05(EInvoiceView v) => LinesOf(v, "O").Where(l => l.Has("BT-152")).Select(l => $"line {l.Value("BT-126")}: O line with BT-152");

    /// <summary>BR-O-08: In a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Not subject to VAT" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are "Not subject to VAT".</summary>
    public static IEnumerable<string> BR_O_08(EInvoiceView v) => TaxableIsLineSum(v, "O");

    /// <summary>BR-O-09: The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Not subject to VAT" shall be 0 (zero).</summary>
    public static IEnumerable<string> BR_O_09(EInvoiceView v) => GroupsOf(v, "O").Where(b => b.Amount("BT-117") != 0m).Select(b => $"O BT-117 {b.Value("BT-117")} != 0");

    /// <summary>BR-O-10: A VAT breakdown (BG-23) with VAT Category code (BT-118) "Not subject to VAT" shall have a VAT exemption reason code (BT-121), meaning "Not subject to VAT" or a VAT exemption reason text (BT-120) "Not subject to VAT" (or the equivalent standard text in another language).</summary>
    /// <remarks>As BR-AE-10: any BT-120 without BT-121, or BT-121 VATEX-EU-O.</remarks>
    public static IEnumerable<string> BR_O_10(EInvoiceView v) => ExemptionMeans(v, "O", "VATEX-EU-O");

    private static IEnumerable<string> ExemptionMeans(EInvoiceView v, string category, string vatex) => GroupsOf(v, category)
        .Where(b => b.Value("BT-121") is { } code ? code != vatex : !Filled(b.Value("BT-120")))
        .Select(b => $"{category} group: BT-121 '{b.Value("BT-121")}', BT-120 '{b.Value("BT-120")}'");

    /// <summary>BR-O-11: An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) "Not subject to VAT" shall not contain other VAT breakdown groups (BG-23).</summary>
    public static IEnumerable<string> BR_O_11(EInvoiceView v) => Require(!GroupsOf(v, "O").Any() || v.Breakdown.Count == 1, "O group next to other groups");

    /// <summary>BR-O-12: An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) "Not subject to VAT" shall not contain an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is not "Not subject to VAT".</summary>
    public static IEnumerable<string> BR_O_12(EInvoiceView v) => Require(!GroupsOf(v, "O").Any() || v.LineCategories.All(c => c == "O"), "O group with non-O lines");

    private static IEnumerable<string> TaxableIsLineSum(EInvoiceView v, string category)
    {
        var expected = CategoryBase(v, category, rate: null);
        return GroupsOf(v, category).Where(b => b.Amount("BT-116") != expected).Select(b => $"{category} BT-116 {b.Value("BT-116")} != {expected}");
    }

    // Σ line net amounts + Σ document charges − Σ document allowances of one category (and, when given, one rate).
    private static decimal CategoryBase(EInvoiceView v, string category, decimal? rate)
    {
        bool Matches(EInvoiceView.Node n, string categoryTerm, string rateTerm) =>
            n.Value(categoryTerm) == category && (rate is null || n.Amount(rateTerm) == rate);
        return Sum(v.Lines.Where(l => Matches(l, "BT-151", "BT-152")).Select(l => l.Amount("BT-131")))
            + Sum(v.DocumentCharges.Where(c => Matches(c, "category", "rate")).Select(c => c.Amount("amount")))
            - Sum(v.DocumentAllowances.Where(a => Matches(a, "category", "rate")).Select(a => a.Amount("amount")));
    }

    // ---- Decimals (BR-DEC-*) ----------------------------------------------------------------------------------

    private static IEnumerable<string> AtMostTwoDecimals(IEnumerable<string> values, string term) =>
        values.Where(s => Decimals(s) > 2).Select(s => $"{term} '{s}' has more than 2 decimals");

    /// <summary>BR-DEC-09: The allowed maximum number of decimals for the Sum of Invoice line net amount (BT-106) is 2.</summary>
    public static IEnumerable<string> BR_DEC_09(EInvoiceView v) => AtMostTwoDecimals(v.Values("BT-106"), "BT-106");

    /// <summary>BR-DEC-12: The allowed maximum number of decimals for the Invoice total amount without VAT (BT-109) is 2.</summary>
    public static IEnumerable<string> BR_DEC_12(EInvoiceView v) => AtMostTwoDecimals(v.Values("BT-109"), "BT-109");

    /// <summary>BR-DEC-13: The allowed maximum number of decimals for the Invoice total VAT amount (BT-110) is 2.</summary>
    public static IEnumerable<string> BR_DEC_13(EInvoiceView v) => AtMostTwoDecimals(v.Values("BT-110"), "BT-110");

    /// <summary>BR-DEC-14: The allowed maximum number of decimals for the Invoice total amount with VAT (BT-112) is 2.</summary>
    public static IEnumerable<string> BR_DEC_14(EInvoiceView v) => AtMostTwoDecimals(v.Values("BT-112"), "BT-112");

    /// <summary>BR-DEC-18: The allowed maximum number of decimals for the Amount due for payment (BT-115) is 2.</summary>
    public static IEnumerable<string> BR_DEC_18(EInvoiceView v) => AtMostTwoDecimals(v.Values("BT-115"), "BT-115");

    /// <summary>BR-DEC-19: The allowed maximum number of decimals for the VAT category taxable amount (BT-116) is 2.</summary>
    public static IEnumerable<string> BR_DEC_19(EInvoiceView v) => AtMostTwoDecimals(v.Breakdown.SelectMany(b => b.Values("BT-116")), "BT-116");

    /// <summary>BR-DEC-20: The allowed maximum number of decimals for the VAT category tax amount (BT-117) is 2.</summary>
    public static IEnumerable<string> BR_DEC_20(EInvoiceView v) => AtMostTwoDecimals(v.Breakdown.SelectMany(b => b.Values("BT-117")), "BT-117");

    /// <summary>BR-DEC-23: The allowed maximum number of decimals for the Invoice line net amount (BT-131) is 2.</summary>
    public static IEnumerable<string> BR_DEC_23(EInvoiceView v) => AtMostTwoDecimals(v.Lines.SelectMany(l => l.Values("BT-131")), "BT-131");

    /// <summary>BR-DEC-24: The allowed maximum number of decimals for the Invoice line allowance amount (BT-136) is 2.</summary>
    public static IEnumerable<string> BR_DEC_24(EInvoiceView v) => AtMostTwoDecimals(v.Lines.SelectMany(l => EInvoiceView.LineAllowances(l)).SelectMany(a => a.Values("BT-136")), "BT-136");

    // ---- Code lists (BR-CL-*) ---------------------------------------------------------------------------------

    // Subsets of the code lists (the values a generator of ours could plausibly write, and their neighbours).
    private static readonly HashSet<string> Untdid1001 = ["71", "80", "81", "82", "84", "102", "218", "219", "326", "331", "380", "381", "382", "383", "384", "385", "386", "387", "388", "389", "390", "393", "394", "395", "396", "420", "456", "457", "527", "575", "623", "633", "751", "780", "875", "876", "877", "935"];
    private static readonly HashSet<string> Uncl4461 = ["1", "2", "3", "4", "5", "10", "20", "30", "31", "42", "48", "49", "54", "55", "57", "58", "59", "68", "97", "ZZZ"];
    private static readonly HashSet<string> Uncl5305 = ["S", "Z", "E", "AE", "K", "G", "O", "L", "M"];
    private static readonly HashSet<string> Vatex = ["VATEX-EU-79-C", "VATEX-EU-132", "VATEX-EU-143", "VATEX-EU-148", "VATEX-EU-151", "VATEX-EU-309", "VATEX-EU-AE", "VATEX-EU-D", "VATEX-EU-F", "VATEX-EU-G", "VATEX-EU-I", "VATEX-EU-IC", "VATEX-EU-O", "VATEX-EU-J", "VATEX-FR-FRANCHISE", "VATEX-FR-CNWVAT"];
    private static readonly HashSet<string> Rec20 = ["C62", "EA", "H87", "HUR", "DAY", "MON", "ANN", "MIN", "KGM", "LTR", "MTR", "NAR", "XPP"];
    private static readonly HashSet<string> Eas = ["EM", "0002", "0007", "0009", "0060", "0088", "0106", "0130", "0184", "0190", "0192", "0195", "0196", "0198", "0201", "0204", "0208", "0209", "9906", "9930", "9938", "9944", "9957"];

    private static IEnumerable<string> InList(IEnumerable<string> values, HashSet<string> list, string term) =>
        values.Where(s => !list.Contains(s)).Select(s => $"{term} '{s}' not in its code list");

    /// <summary>BR-CL-01: The document type code MUST be coded by the invoice and credit note related code lists of UNTDID 1001.</summary>
    public static IEnumerable<string> BR_CL_01(EInvoiceView v) => InList(v.Values("BT-3"), Untdid1001, "BT-3");

    /// <summary>BR-CL-04: Invoice currency code MUST be coded using ISO code list 4217 alpha-3.</summary>
    public static IEnumerable<string> BR_CL_04(EInvoiceView v) => v.Values("BT-5").Where(c => !Currencies.IsKnown(c)).Select(c => $"BT-5 '{c}' is not ISO 4217");

    /// <summary>BR-CL-14: Country codes in an invoice MUST be coded using ISO code list 3166-1.</summary>
    public static IEnumerable<string> BR_CL_14(EInvoiceView v) =>
        v.Values("BT-40").Concat(v.Values("BT-55")).Where(c => !Countries.IsKnown(c)).Select(c => $"country '{c}' is not ISO 3166-1");

    /// <summary>BR-CL-16: Payment means in an invoice MUST be coded using UNCL4461 code list.</summary>
    public static IEnumerable<string> BR_CL_16(EInvoiceView v) => InList(v.Values("BT-81"), Uncl4461, "BT-81");

    /// <summary>BR-CL-17 / BR-CL-18: Invoice tax categories MUST be coded using UNCL5305 code list.</summary>
    public static IEnumerable<string> BR_CL_18(EInvoiceView v) =>
        InList(v.Breakdown.SelectMany(b => b.Values("BT-118")).Concat(v.LineCategories), Uncl5305, "BT-118/BT-151");

    /// <summary>BR-CL-22: Tax exemption reason code identifier scheme identifier MUST belong to the CEF VATEX code list.</summary>
    public static IEnumerable<string> BR_CL_22(EInvoiceView v) => InList(v.Breakdown.SelectMany(b => b.Values("BT-121")), Vatex, "BT-121");

    /// <summary>BR-CL-23: Unit code MUST be coded according to the UN/ECE Recommendation 20 with Rec 21 extension.</summary>
    public static IEnumerable<string> BR_CL_23(EInvoiceView v) => InList(v.Lines.SelectMany(l => l.Values("BT-130")), Rec20, "BT-130");

    /// <summary>BR-CL-25: Endpoint identifier scheme identifier MUST belong to the CEF EAS code list.</summary>
    public static IEnumerable<string> BR_CL_25(EInvoiceView v) => InList(v.Values("BT-34-1").Concat(v.Values("BT-49-1")), Eas, "BT-34/BT-49 scheme");

    // ---- XRechnung 3.0 (BR-DE-*) -------------------------------------------------------------------------------

    /// <summary>BR-DE-1: Eine Rechnung (INVOICE) muss Angaben zu "PAYMENT INSTRUCTIONS" (BG-16) enthalten.</summary>
    public static IEnumerable<string> BR_DE_1(EInvoiceView v) => Require(v.Has("BG-16"), "BG-16 missing");

    /// <summary>BR-DE-2: Die Gruppe "SELLER CONTACT" (BG-6) muss übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_2(EInvoiceView v) => Require(v.Has("BG-6"), "BG-6 missing");

    /// <summary>BR-DE-3: Das Element "Seller city" (BT-37) muss übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_3(EInvoiceView v) => Require(Filled(v.Value("BT-37")), "BT-37 missing");

    /// <summary>BR-DE-4: Das Element "Seller post code" (BT-38) muss übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_4(EInvoiceView v) => Require(Filled(v.Value("BT-38")), "BT-38 missing");

    /// <summary>BR-DE-5: Das Element "Seller contact point" (BT-41) muss übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_5(EInvoiceView v) => Require(Filled(v.Value("BT-41")), "BT-41 missing");

    /// <summary>BR-DE-6: Das Element "Seller contact telephone number" (BT-42) muss übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_6(EInvoiceView v) => Require(Filled(v.Value("BT-42")), "BT-42 missing");

    /// <summary>BR-DE-7: Das Element "Seller contact email address" (BT-43) muss übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_7(EInvoiceView v) => Require(Filled(v.Value("BT-43")), "BT-43 missing");

    /// <summary>BR-DE-8: Das Element "Buyer city" (BT-52) muss übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_8(EInvoiceView v) => Require(Filled(v.Value("BT-52")), "BT-52 missing");

    /// <summary>BR-DE-9: Das Element "Buyer post code" (BT-53) muss übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_9(EInvoiceView v) => Require(Filled(v.Value("BT-53")), "BT-53 missing");

    /// <summary>BR-DE-14: Das Element "VAT category rate" (BT-119) muss übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_14(EInvoiceView v) => EachGroup(v, b => Filled(b.Value("BT-119")), "BT-119 missing");

    /// <summary>BR-DE-15: Das Element "Buyer reference" (BT-10) muss übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_15(EInvoiceView v) => Require(Filled(v.Value("BT-10")), "BT-10 missing");

    /// <summary>BR-DE-16: Wenn in einer Rechnung die Steuercodes S, Z, E, AE, K, G, L oder M verwendet werden, muss mindestens eines der Elemente "Seller VAT identifier" (BT-31), "Seller tax registration identifier" (BT-32) oder "SELLER TAX REPRESENTATIVE PARTY" (BG-11) übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_16(EInvoiceView v) => Require(
        !v.LineCategories.Any(c => c is "S" or "Z" or "E" or "AE" or "K" or "G" or "L" or "M") || Filled(v.Value("BT-31")) || Filled(v.Value("BT-32")) || v.Has("BG-11"),
        "taxed categories without BT-31/BT-32/BG-11");

    /// <summary>BR-DE-17: Mit dem Element "Invoice type code" (BT-3) sollen ausschließlich folgende Codes aus der Codeliste UNTDID 1001 übermittelt werden: 326, 380, 384, 389, 381, 875, 876, 877.</summary>
    public static IEnumerable<string> BR_DE_17(EInvoiceView v) => InList(v.Values("BT-3"), ["326", "380", "384", "389", "381", "875", "876", "877"], "BT-3");

    /// <summary>BR-DE-19: "Payment account identifier" (BT-84) soll eine korrekte IBAN enthalten, wenn in "Payment means type code" (BT-81) mit dem Code 58 SEPA als Zahlungsmittel gefordert wird.</summary>
    public static IEnumerable<string> BR_DE_19(EInvoiceView v) => Require(v.Value("BT-81") != "58" || IsIban(v.Value("BT-84")), $"BT-84 '{v.Value("BT-84")}' is not a valid IBAN");

    /// <summary>BR-DE-21: Das Element "Specification identifier" (BT-24) soll syntaktisch der Kennung des Standards XRechnung entsprechen.</summary>
    public static IEnumerable<string> BR_DE_21(EInvoiceView v) =>
        Require(v.Value("BT-24") == "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", $"BT-24 '{v.Value("BT-24")}'");

    /// <summary>BR-DE-23-a: Wenn BT-81 "Payment means type code" einen Schlüssel für Überweisungen enthält (30, 58), muss BG-17 "CREDIT TRANSFER" übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_23_a(EInvoiceView v) => Require(v.Value("BT-81") is not ("30" or "58") || v.Has("BG-17"), "credit transfer without BG-17");

    /// <summary>BR-DE-23-b: Wenn BT-81 "Payment means type code" einen Schlüssel für Überweisungen enthält (30, 58), dürfen BG-18 und BG-19 nicht übermittelt werden.</summary>
    public static IEnumerable<string> BR_DE_23_b(EInvoiceView v) => Require(v.Value("BT-81") is not ("30" or "58") || !(v.Has("BG-18") || v.Has("BG-19")), "credit transfer with BG-18/BG-19");

    /// <summary>BR-DE-27: In BT-42 sollen mindestens drei Ziffern enthalten sein.</summary>
    public static IEnumerable<string> BR_DE_27(EInvoiceView v) => Require((v.Value("BT-42") ?? string.Empty).Count(char.IsAsciiDigit) >= 3, "BT-42 has fewer than 3 digits");

    /// <summary>BR-DE-28: In BT-43 soll genau ein @-Zeichen enthalten sein, welches nicht von einem Leerzeichen, einem Punkt, aber mindestens zwei Zeichen auf beiden Seiten flankiert werden soll. Ein Punkt sollte nicht am Anfang oder am Ende stehen.</summary>
    public static IEnumerable<string> BR_DE_28(EInvoiceView v) => Require(EmailPattern().IsMatch(v.Value("BT-43") ?? string.Empty), $"BT-43 '{v.Value("BT-43")}'");

    [GeneratedRegex(@"^[^@\s.][^@\s]*[^@\s.]@[^@\s.][^@\s]*[^@\s.]$")]
    private static partial Regex EmailPattern();

    private static bool IsIban(string? text)
    {
        var iban = (text ?? string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (!IbanShape().IsMatch(iban))
        {
            return false;
        }

        var digits = string.Concat((iban[4..] + iban[..4]).Select(c => char.IsAsciiDigit(c) ? c.ToString() : (char.ToUpperInvariant(c) - 'A' + 10).ToString(CultureInfo.InvariantCulture)));
        return BigInteger.Parse(digits, CultureInfo.InvariantCulture) % 97 == 1;
    }

    [GeneratedRegex("^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}$")]
    private static partial Regex IbanShape();

    // ---- Peppol BIS Billing 3.0 (PEPPOL-EN16931-R*), syntax specific ------------------------------------------

    private static IEnumerable<XElement> Ubl(EInvoiceView v, string xpath) => v.Xml.Root!.XPathSelectElements(xpath, EInvoiceView.Namespaces);

    /// <summary>PEPPOL-EN16931-R001: Business process MUST be provided.</summary>
    public static IEnumerable<string> PEPPOL_R001(EInvoiceView v) => Require(Filled(v.Value("BT-23")), "BT-23 missing");

    /// <summary>PEPPOL-EN16931-R002: No more than one note is allowed on document level, unless both the buyer and seller are German organizations.</summary>
    public static IEnumerable<string> PEPPOL_R002(EInvoiceView v) =>
        Require(v.Values("BT-22").Count <= 1 || (v.Value("BT-40") == "DE" && v.Value("BT-55") == "DE"), "more than one BT-22");

    /// <summary>PEPPOL-EN16931-R003: A buyer reference or purchase order reference MUST be provided.</summary>
    public static IEnumerable<string> PEPPOL_R003(EInvoiceView v) => Require(Filled(v.Value("BT-10")) || Filled(v.Value("BT-13")), "neither BT-10 nor BT-13");

    /// <summary>PEPPOL-EN16931-R004: Specification identifier MUST have the value 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'.</summary>
    public static IEnumerable<string> PEPPOL_R004(EInvoiceView v) =>
        Require(v.Value("BT-24") == "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0", $"BT-24 '{v.Value("BT-24")}'");

    /// <summary>PEPPOL-EN16931-R008: Document MUST not contain empty elements.</summary>
    public static IEnumerable<string> PEPPOL_R008(EInvoiceView v) =>
        v.Xml.Descendants().Where(e => !e.HasElements && string.IsNullOrWhiteSpace(e.Value)).Select(e => $"empty <{e.Name.LocalName}>");

    /// <summary>PEPPOL-EN16931-R010: Buyer electronic address MUST be provided.</summary>
    public static IEnumerable<string> PEPPOL_R010(EInvoiceView v) => Require(Filled(v.Value("BT-49")), "BT-49 missing");

    /// <summary>PEPPOL-EN16931-R020: Seller electronic address MUST be provided.</summary>
    public static IEnumerable<string> PEPPOL_R020(EInvoiceView v) => Require(Filled(v.Value("BT-34")), "BT-34 missing");

    /// <summary>PEPPOL-EN16931-R053: Only one tax total with tax subtotals MUST be provided.</summary>
    public static IEnumerable<string> PEPPOL_R053(EInvoiceView v) => Require(Ubl(v, "cac:TaxTotal[cac:TaxSubtotal]").Count() == 1, "not exactly one cac:TaxTotal with subtotals");

    /// <summary>PEPPOL-EN16931-R110 / R111: Start and end date of line period MUST be within invoice period.</summary>
    public static IEnumerable<string> PEPPOL_R110_R111(EInvoiceView v)
    {
        var (start, end) = (v.Root.Date("BT-73"), v.Root.Date("BT-74"));
        return EachLine(
            v,
            l => (start is null || l.Date("BT-134") is not { } s || s >= start) && (end is null || l.Date("BT-135") is not { } e || e <= end),
            "line period outside the invoice period");
    }

    /// <summary>PEPPOL-EN16931-R120: Invoice line net amount MUST equal (Invoiced quantity * (Item net price/item price base quantity) + Sum of invoice line charge amount - sum of invoice line allowance amount. Checked exactly (Peppol allows 0.02).</summary>
    public static IEnumerable<string> PEPPOL_R120(EInvoiceView v) => EachLine(
        v,
        l =>
        {
            var baseQuantity = l.Amount("BT-149") is { } q && q != 0 ? q : 1m;
            var allowances = Sum(EInvoiceView.LineAllowances(l).Select(a => a.Amount("BT-136")));
            var expected = ((l.Amount("BT-129") ?? 0m) * ((l.Amount("BT-146") ?? 0m) / baseQuantity)) - allowances;
            return l.Amount("BT-131") == expected;
        },
        "BT-131 != quantity × price − allowances");

    // Peppol EAS code list ("Electronic Address Scheme", Peppol BIS Billing 3.0 code lists, release 3.0.19), written
    // here from the published list, not taken from the generator. It has no "EM".
    private static readonly HashSet<string> PeppolEas =
    [
        "0002", "0007", "0009", "0037", "0060", "0088", "0096", "0097", "0106", "0130", "0135", "0142", "0147", "0151", "0170", "0183", "0184",
        "0188", "0190", "0191", "0192", "0193", "0194", "0195", "0196", "0198", "0199", "0200", "0201", "0202", "0203", "0204", "0205", "0208",
        "0209", "0210", "0211", "0212", "0213", "0215", "0216", "0217", "0218", "0221", "0225", "0230", "0235", "0240",
        "9910", "9913", "9914", "9915", "9918", "9919", "9920", "9922", "9923", "9924", "9925", "9926", "9927", "9928", "9929", "9930",
        "9931", "9932", "9933", "9934", "9935", "9936", "9937", "9938", "9939", "9940", "9941", "9942", "9943", "9944", "9945", "9946",
        "9947", "9948", "9949", "9950", "9951", "9952", "9953", "9957", "9959",
    ];

    /// <summary>PEPPOL-EN16931-CL007: Currency code must be according to ISO 4217:2005 (every currencyID and BT-5/BT-6).</summary>
    public static IEnumerable<string> PEPPOL_CL007(EInvoiceView v) =>
        v.Xml.Descendants().SelectMany(e => e.Attributes("currencyID")).Select(a => a.Value)
            .Concat(v.Values("BT-5"))
            .Where(c => !Currencies.IsKnown(c)).Distinct().Select(c => $"currency '{c}' is not ISO 4217");

    /// <summary>PEPPOL-EN16931-CL008: Electronic address identifier scheme must be from the codelist "Electronic Address Identifier Scheme" (EAS).</summary>
    public static IEnumerable<string> PEPPOL_CL008(EInvoiceView v) =>
        v.Xml.Descendants(XName.Get("EndpointID", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"))
            .Select(e => (string?)e.Attribute("schemeID") ?? "(none)")
            .Where(scheme => !PeppolEas.Contains(scheme)).Select(scheme => $"EndpointID schemeID '{scheme}' is not a Peppol EAS code");

    /// <summary>PEPPOL-EN16931-R007: Business process MUST be in the format 'urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0' where NN indicates the process number.</summary>
    public static IEnumerable<string> PEPPOL_R007(EInvoiceView v) =>
        Require(PeppolProcess().IsMatch(v.Value("BT-23") ?? string.Empty), $"BT-23 '{v.Value("BT-23")}'");

    [GeneratedRegex("^urn:fdc:peppol.eu:2017:poacc:billing:[0-9]{2}:1.0$")]
    private static partial Regex PeppolProcess();

    /// <summary>
    /// BR-CL-10 / BR-CL-11 as Peppol applies them to parties: any identifier (BT-29, BT-46: cac:PartyIdentification/cbc:ID)
    /// and registration identifier (BT-30, BT-47: cac:PartyLegalEntity/cbc:CompanyID) scheme MUST be an ISO 6523 ICD
    /// (four digits, 0002-0240 assigned; Peppol also allows SEPA for BT-29).
    /// </summary>
    public static IEnumerable<string> PEPPOL_PartyIdentifierSchemes_AreIcd(EInvoiceView v) =>
        Ubl(v, "cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID | cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID"
            + " | cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID | cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
            .Select(e => (string?)e.Attribute("schemeID"))
            .Where(scheme => scheme is not null && scheme != "SEPA" && !(scheme.Length == 4 && int.TryParse(scheme, NumberStyles.None, CultureInfo.InvariantCulture, out var icd) && icd is >= 2 and <= 240))
            .Select(scheme => $"party identifier schemeID '{scheme}' is not an ISO 6523 ICD");
}
