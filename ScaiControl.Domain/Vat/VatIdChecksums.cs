using System.Globalization;

namespace ScaiControl.Domain.Vat;

/// <summary>
/// Check-digit algorithms of VAT identification numbers: every EU member state whose number carries one, plus
/// Norway's organisation number. The rules follow the European Commission's "VIES – VAT number construction rules"
/// (DG TAXUD functional description) and the national rules it cites (ISO 7064 MOD 11,10 for DE and HR, the Dutch
/// 2020 btw-id mod-97 rule, Brønnøysund's mod 11 for NO). Pure functions: whether a number is actually allocated is
/// VIES's business, not this class's.
/// </summary>
/// <remarks>
/// Format only, no check digit verified here: French numbers whose two-character key contains a letter (the
/// alphanumeric-key algorithm could not be confirmed from a published description), Czech 9-digit birth numbers of
/// people born before 1954 (they have no check digit), Latvian natural persons (only legal entities, first digit
/// above 3, are checked), and the non-EU GB and CH patterns.
/// </remarks>
public static class VatIdChecksums
{
    private const string SpanishDniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";
    private const string SpanishCifLetters = "JABCDEFGHI";
    private const string SpanishCifEntityLetters = "ABCDEFGHJNPQRSUVW";
    private const string IrishCheckLetters = "WABCDEFGHIJKLMNOPQRSTUV";

    private static readonly Dictionary<string, Func<string, bool>> Checks = new(StringComparer.Ordinal)
    {
        ["AT"] = Austria, ["BE"] = Belgium, ["BG"] = Bulgaria, ["CY"] = Cyprus, ["CZ"] = Czechia, ["DE"] = Germany,
        ["DK"] = Denmark, ["EE"] = Estonia, ["GR"] = Greece, ["ES"] = Spain, ["FI"] = Finland, ["FR"] = France,
        ["HR"] = Croatia, ["HU"] = Hungary, ["IE"] = Ireland, ["IT"] = Italy, ["LT"] = Lithuania, ["LU"] = Luxembourg,
        ["LV"] = Latvia, ["MT"] = Malta, ["NL"] = Netherlands, ["PL"] = Poland, ["PT"] = Portugal, ["RO"] = Romania,
        ["SE"] = Sweden, ["SI"] = Slovenia, ["SK"] = Slovakia, ["NO"] = Norway,
    };

    /// <summary>The countries (ISO 3166 codes; Greece is "GR") whose VAT ids have a check digit verified here.</summary>
    public static IReadOnlyCollection<string> Countries => Checks.Keys;

    /// <summary>
    /// Whether a normalised VAT id that already matches its country's format (prefix included, e.g. "DE136695976",
    /// "EL094259216", "NO974761076MVA") carries correct check digits, by the country's official algorithm.
    /// Countries and forms without a check digit answer true; an id of the wrong shape answers false.
    /// </summary>
    public static bool IsValid(string country, string vatId)
    {
        ArgumentNullException.ThrowIfNull(country);
        ArgumentNullException.ThrowIfNull(vatId);
        return !Checks.TryGetValue(country, out var check) || (vatId.Length > 2 && check(vatId[2..]));
    }

    // AT: "U" + 8 digits. Digits 1-7 weighted 1,2,1,2,...; the digit sums of the products plus 4, then
    // check = (10 - sum mod 10) mod 10 (VIES AT rule).
    private static bool Austria(string n)
    {
        if (n.Length != 9 || n[0] != 'U' || !AllDigits(n[1..]))
        {
            return false;
        }

        var sum = 4;
        for (var i = 0; i < 7; i++)
        {
            var product = Digit(n[i + 1]) * (i % 2 == 0 ? 1 : 2);
            sum += (product / 10) + (product % 10);
        }

        return (10 - (sum % 10)) % 10 == Digit(n[8]);
    }

    // BE: 10 digits; the last two are 97 - (first 8 digits mod 97) (VIES BE rule, enterprise number).
    private static bool Belgium(string n) =>
        n.Length == 10 && AllDigits(n) && 97 - Mod(n[..8], 97) == Number(n[8..]);

    // BG: 9 digits (legal entities): weights 1..8 mod 11, falling back to weights 3..10 when that gives 10; 10 stays 0.
    // 10 digits: valid as an EGN (physical person, weights 2,4,8,5,10,9,7,3,6 mod 11 mod 10, with a valid birth date),
    // a PNF (foreigner, weights 21,19,17,13,11,9,7,3,1 mod 10) or an "other" number (weights 4,3,2,7,6,5,4,3,2,
    // 11 - sum mod 11, 11 -> 0, 10 invalid) (VIES BG rules).
    private static bool Bulgaria(string n)
    {
        if (!AllDigits(n))
        {
            return false;
        }

        if (n.Length == 9)
        {
            var check = Weighted(n, 1, 2, 3, 4, 5, 6, 7, 8) % 11;
            if (check == 10)
            {
                check = Weighted(n, 3, 4, 5, 6, 7, 8, 9, 10) % 11;
            }

            return check % 10 == Digit(n[8]);
        }

        if (n.Length != 10)
        {
            return false;
        }

        var last = Digit(n[9]);
        var egn = Weighted(n, 2, 4, 8, 5, 10, 9, 7, 3, 6) % 11 % 10 == last && BulgarianBirthDateIsValid(n);
        var pnf = Weighted(n, 21, 19, 17, 13, 11, 9, 7, 3, 1) % 10 == last;
        var other = 11 - (Weighted(n, 4, 3, 2, 7, 6, 5, 4, 3, 2) % 11);
        return egn || pnf || (other != 10 && other % 11 == last);
    }

    // An EGN starts YYMMDD; the month is +20 for births in the 1800s and +40 for the 2000s.
    private static bool BulgarianBirthDateIsValid(string n)
    {
        var year = Number(n[..2]);
        var month = Number(n[2..4]);
        var day = Number(n[4..6]);
        (year, month) = month switch
        {
            > 40 => (year + 2000, month - 40),
            > 20 => (year + 1800, month - 20),
            _ => (year + 1900, month),
        };
        return month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    // CY: 8 digits + check letter. Digits in positions 1,3,5,7 are recoded 0..9 -> 1,0,5,7,9,13,15,17,19,21, the others
    // taken as they are; the sum mod 26 is the letter A..Z (VIES CY rule).
    private static bool Cyprus(string n)
    {
        if (n.Length != 9 || !AllDigits(n[..8]) || n[8] is < 'A' or > 'Z')
        {
            return false;
        }

        ReadOnlySpan<int> recode = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            sum += i % 2 == 0 ? recode[Digit(n[i])] : Digit(n[i]);
        }

        return (char)('A' + (sum % 26)) == n[8];
    }

    // CZ: 8 digits (legal entities): weights 8..2, 11 - sum mod 11 with 10 -> 0 and 11 -> 1.
    // 9 digits starting with 6 (individuals without a birth number): weights 8..2 on digits 2-8, check digit
    // 9 - ((11 - sum mod 11) mod 10). 10 digits (birth number, rodné číslo): the first nine digits mod 11 mod 10 (a
    // remainder of 10 gave check digit 0 before 1985). 9 digits otherwise: a birth number from before 1954, which has
    // no check digit, so format only (VIES CZ rules).
    private static bool Czechia(string n)
    {
        if (!AllDigits(n))
        {
            return false;
        }

        switch (n.Length)
        {
            case 8:
                var remainder = Weighted(n, 8, 7, 6, 5, 4, 3, 2) % 11;
                var legal = remainder switch { 0 => 1, 1 => 0, _ => 11 - remainder };
                return legal == Digit(n[7]);
            case 9 when n[0] == '6':
                var special = Weighted(n[1..], 8, 7, 6, 5, 4, 3, 2) % 11;
                return 9 - ((11 - special) % 10) == Digit(n[8]);
            case 9:
                return true;
            case 10:
                return Mod(n[..9], 11) % 10 == Digit(n[9]);
            default:
                return false;
        }
    }

    // DE: 9 digits; the ninth is the ISO 7064 MOD 11,10 check digit over the first eight (BGBl. I 1993 S. 736,
    // Anlage 3 zu § 9 ZMDV; VIES DE rule).
    private static bool Germany(string n) =>
        n.Length == 9 && AllDigits(n) && Iso7064Mod11Comma10(n[..8]) == Digit(n[8]);

    // DK: 8 digits, weights 2,7,6,5,4,3,2,1; the sum is divisible by 11 (CVR modulus 11, VIES DK rule).
    private static bool Denmark(string n) =>
        n.Length == 8 && AllDigits(n) && Weighted(n, 2, 7, 6, 5, 4, 3, 2, 1) % 11 == 0;

    // EE: 9 digits, weights 3,7,1,3,7,1,3,7; check = (10 - sum mod 10) mod 10 (VIES EE rule).
    private static bool Estonia(string n) =>
        n.Length == 9 && AllDigits(n) && (10 - (Weighted(n, 3, 7, 1, 3, 7, 1, 3, 7) % 10)) % 10 == Digit(n[8]);

    // EL: 9 digits, weights 256,128,...,2; check = sum mod 11 mod 10 (VIES EL rule).
    private static bool Greece(string n) =>
        n.Length == 9 && AllDigits(n) && Weighted(n, 256, 128, 64, 32, 16, 8, 4, 2) % 11 % 10 == Digit(n[8]);

    // ES (VIES ES rules and the Spanish NIF rules, Real Decreto 1065/2007):
    // - 8 digits + letter (DNI): the letter is TRWAGMYFPDXBNJZSQVHLCKE[number mod 23];
    // - X/Y/Z + 7 digits + letter (NIE): the same with X, Y, Z read as 0, 1, 2;
    // - K/L/M + 7 digits + letter (other natural persons): the DNI letter of the 7 digits;
    // - entity letter + 7 digits + control (CIF): digits in odd positions doubled (digit sums), even positions added,
    //   c = (10 - sum mod 10) mod 10, written either as the digit c or as the letter JABCDEFGHI[c].
    private static bool Spain(string n)
    {
        if (n.Length != 9 || !AllDigits(n[1..8]))
        {
            return false;
        }

        var first = n[0];
        if (char.IsAsciiDigit(first))
        {
            return AllDigits(n[..8]) && SpanishDniLetters[Mod(n[..8], 23)] == n[8];
        }

        if (first is 'X' or 'Y' or 'Z')
        {
            return SpanishDniLetters[Mod((char)('0' + (first - 'X')) + n[1..8], 23)] == n[8];
        }

        if (first is 'K' or 'L' or 'M')
        {
            return SpanishDniLetters[Mod(n[1..8], 23)] == n[8];
        }

        if (!SpanishCifEntityLetters.Contains(first, StringComparison.Ordinal))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 7; i++)
        {
            var digit = Digit(n[i + 1]);
            sum += i % 2 == 0 ? ((2 * digit) / 10) + ((2 * digit) % 10) : digit;
        }

        var control = (10 - (sum % 10)) % 10;
        return n[8] == (char)('0' + control) || n[8] == SpanishCifLetters[control];
    }

    // FI: 8 digits, weights 7,9,10,5,8,4,2; remainder 0 -> 0, remainder 1 is never issued, else 11 - remainder
    // (VIES FI rule).
    private static bool Finland(string n)
    {
        if (n.Length != 8 || !AllDigits(n))
        {
            return false;
        }

        var remainder = Weighted(n, 7, 9, 10, 5, 8, 4, 2) % 11;
        return remainder != 1 && (remainder == 0 ? 0 : 11 - remainder) == Digit(n[7]);
    }

    // FR: 2-character key + 9-digit SIREN. A numeric key is [12 + 3 * (SIREN mod 97)] mod 97 (VIES FR rule, INSEE).
    // A key containing a letter: format only, see the class remarks.
    private static bool France(string n)
    {
        if (n.Length != 11 || !AllDigits(n[2..]))
        {
            return false;
        }

        return !AllDigits(n[..2]) || (12 + (3 * Mod(n[2..], 97))) % 97 == Number(n[..2]);
    }

    // HR: 11 digits (OIB); the last is the ISO 7064 MOD 11,10 check digit over the first ten (VIES HR rule).
    private static bool Croatia(string n) =>
        n.Length == 11 && AllDigits(n) && Iso7064Mod11Comma10(n[..10]) == Digit(n[10]);

    // HU: 8 digits, weights 9,7,3,1,9,7,3; check = (10 - sum mod 10) mod 10 (VIES HU rule).
    private static bool Hungary(string n) =>
        n.Length == 8 && AllDigits(n) && (10 - (Weighted(n, 9, 7, 3, 1, 9, 7, 3) % 10)) % 10 == Digit(n[7]);

    // IE: 7 digits + check letter (+ an optional second letter A-I, the 2013 format), or the old form digit,
    // letter/+/*, 5 digits, check letter, which is first rewritten to "0" + digits 3-7 + digit 1 + check letter.
    // Weights 8..2 on the seven digits, plus 9 times the second letter's value (A=1 ... I=9, W=0); the check letter is
    // WABCDEFGHIJKLMNOPQRSTUV[sum mod 23] (VIES IE rule, Irish Revenue).
    private static bool Ireland(string n)
    {
        if (n.Length is 8 && !char.IsAsciiDigit(n[1]))
        {
            n = "0" + n[2..7] + n[0] + n[7];
        }

        if (n.Length is not (8 or 9) || !AllDigits(n[..7]))
        {
            return false;
        }

        var sum = Weighted(n, 8, 7, 6, 5, 4, 3, 2);
        if (n.Length == 9)
        {
            var second = "WABCDEFGHI".IndexOf(n[8], StringComparison.Ordinal);
            if (second < 0)
            {
                return false;
            }

            sum += 9 * second;
        }

        return IrishCheckLetters[sum % 23] == n[7];
    }

    // IT: 11 digits (partita IVA); the Luhn algorithm over all of them (VIES IT rule).
    private static bool Italy(string n) => n.Length == 11 && AllDigits(n) && Luhn(n);

    // LT: 9 digits (legal entities) or 12 (temporarily registered). Weights 1,2,...,9,1,2 over all digits but the
    // last, mod 11; if that is 10, weights 3,4,...,9,1,2,3,4 mod 11, and 10 becomes 0 (VIES LT rule).
    private static bool Lithuania(string n)
    {
        if (n.Length is not (9 or 12) || !AllDigits(n))
        {
            return false;
        }

        var body = n[..^1];
        var check = 0;
        for (var i = 0; i < body.Length; i++)
        {
            check += ((i % 9) + 1) * Digit(body[i]);
        }

        check %= 11;
        if (check == 10)
        {
            check = 0;
            for (var i = 0; i < body.Length; i++)
            {
                check += (((i + 2) % 9) + 1) * Digit(body[i]);
            }

            check %= 11;
        }

        return check % 10 == Digit(n[^1]);
    }

    // LU: 8 digits; the last two are the first six mod 89 (VIES LU rule).
    private static bool Luxembourg(string n) =>
        n.Length == 8 && AllDigits(n) && Mod(n[..6], 89) == Number(n[6..]);

    // LV: 11 digits. Legal entities (first digit above 3): weights 9,1,4,8,3,10,2,5,7,6,1 over all eleven digits give
    // 3 mod 11 (VIES LV rule). Natural persons (personal codes): format only.
    private static bool Latvia(string n) =>
        n.Length == 11 && AllDigits(n) && (n[0] <= '3' || Weighted(n, 9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1) % 11 == 3);

    // MT: 8 digits; the last two are 37 - (weights 3,4,6,7,8,9 over the first six, mod 37) (VIES MT rule).
    private static bool Malta(string n) =>
        n.Length == 8 && AllDigits(n) && 37 - (Weighted(n, 3, 4, 6, 7, 8, 9) % 37) == Number(n[6..]);

    // NL: 9 digits + "B" + 2 digits. Valid by either rule (VIES NL rule; Belastingdienst, btw-id since 2020-01-01):
    // - the "elfproef" on the RSIN/BSN: weights 9,8,...,2 on digits 1-8 minus digit 9, divisible by 11;
    // - the btw-identificatienummer of sole proprietors: "NL" + the 12 characters, letters as 10..35 (N=23, L=21,
    //   B=11), read as a number, is 1 mod 97 (ISO 7064 MOD 97-10, as in IBANs).
    private static bool Netherlands(string n)
    {
        if (n.Length != 12 || !AllDigits(n[..9]) || n[9] != 'B' || !AllDigits(n[10..]))
        {
            return false;
        }

        var elfproef = (Weighted(n, 9, 8, 7, 6, 5, 4, 3, 2) - Digit(n[8])) % 11 == 0;
        return elfproef || Mod("2321" + n[..9] + "11" + n[10..], 97) == 1;
    }

    // PL: 10 digits (NIP), weights 6,5,7,2,3,4,5,6,7; the check digit is sum mod 11, and 10 is never issued
    // (VIES PL rule).
    private static bool Poland(string n)
    {
        if (n.Length != 10 || !AllDigits(n))
        {
            return false;
        }

        var check = Weighted(n, 6, 5, 7, 2, 3, 4, 5, 6, 7) % 11;
        return check != 10 && check == Digit(n[9]);
    }

    // PT: 9 digits (NIF), weights 9..2; check = 11 - sum mod 11, 10 and 11 -> 0 (VIES PT rule).
    private static bool Portugal(string n)
    {
        if (n.Length != 9 || !AllDigits(n))
        {
            return false;
        }

        var check = 11 - (Weighted(n, 9, 8, 7, 6, 5, 4, 3, 2) % 11);
        return (check >= 10 ? 0 : check) == Digit(n[8]);
    }

    // RO: 2-10 digits (CIF), the last a check digit. The others, right-aligned under weights 7,5,3,2,1,7,5,3,2:
    // check = (10 * sum) mod 11 mod 10 (VIES RO rule).
    private static bool Romania(string n)
    {
        if (n.Length is < 2 or > 10 || !AllDigits(n))
        {
            return false;
        }

        var body = n[..^1].PadLeft(9, '0');
        return 10 * Weighted(body, 7, 5, 3, 2, 1, 7, 5, 3, 2) % 11 % 10 == Digit(n[^1]);
    }

    // SE: 12 digits: the 10-digit organisation or personal number, whose last digit is a Luhn check digit, + "01"
    // (VIES SE rule).
    private static bool Sweden(string n) =>
        n.Length == 12 && AllDigits(n) && n.EndsWith("01", StringComparison.Ordinal) && Luhn(n[..10]);

    // SI: 8 digits, weights 8..2; check = 11 - sum mod 11, 10 -> 0, 11 never issued (VIES SI rule).
    private static bool Slovenia(string n)
    {
        if (n.Length != 8 || !AllDigits(n))
        {
            return false;
        }

        var check = 11 - (Weighted(n, 8, 7, 6, 5, 4, 3, 2) % 11);
        return check != 11 && check % 10 == Digit(n[7]);
    }

    // SK: 10 digits; the whole number is divisible by 11 (VIES SK rule).
    private static bool Slovakia(string n) => n.Length == 10 && AllDigits(n) && Mod(n, 11) == 0;

    // NO: 9-digit organisation number (+ "MVA" when VAT-registered), weights 3,2,7,6,5,4,3,2;
    // check = 11 - sum mod 11, 11 -> 0, 10 never issued (Brønnøysundregistrene, modulus 11).
    private static bool Norway(string n)
    {
        if (n.Length is not (9 or 12) || !AllDigits(n[..9]) || (n.Length == 12 && !n.EndsWith("MVA", StringComparison.Ordinal)))
        {
            return false;
        }

        var check = 11 - (Weighted(n, 3, 2, 7, 6, 5, 4, 3, 2) % 11);
        return check != 10 && check % 11 == Digit(n[8]);
    }

    /// <summary>ISO 7064 MOD 11,10 (hybrid) check digit of a digit string.</summary>
    private static int Iso7064Mod11Comma10(string digits)
    {
        var product = 10;
        foreach (var c in digits)
        {
            var sum = (Digit(c) + product) % 10;
            product = 2 * (sum == 0 ? 10 : sum) % 11;
        }

        var check = 11 - product;
        return check == 10 ? 0 : check;
    }

    /// <summary>Luhn (mod 10): every second digit from the right doubled, digit sums added, total divisible by 10.</summary>
    private static bool Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = Digit(digits[^(i + 1)]);
            sum += i % 2 == 1 ? (digit * 2) - (digit >= 5 ? 9 : 0) : digit;
        }

        return sum % 10 == 0;
    }

    /// <summary>Sum of the leading digits of <paramref name="digits"/> times the given weights.</summary>
    private static int Weighted(string digits, params ReadOnlySpan<int> weights)
    {
        var sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i] * Digit(digits[i]);
        }

        return sum;
    }

    /// <summary>A digit string of any length, modulo <paramref name="modulus"/>.</summary>
    private static int Mod(string digits, int modulus)
    {
        var remainder = 0;
        foreach (var c in digits)
        {
            remainder = ((remainder * 10) + Digit(c)) % modulus;
        }

        return remainder;
    }

    private static int Number(string digits) => int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

    private static int Digit(char c) => c - '0';

    private static bool AllDigits(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
}
