using System.Text.RegularExpressions;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Domain.Billing;

/// <summary>A postal address as invoices print it (EN 16931 BG-5 seller / BG-8 buyer postal address).</summary>
/// <param name="Line1">BT-35 / BT-50 address line 1.</param>
/// <param name="Line2">BT-36 / BT-51 address line 2, optional.</param>
/// <param name="PostalCode">BT-38 / BT-53.</param>
/// <param name="City">BT-37 / BT-52.</param>
/// <param name="Country">BT-40 / BT-55, ISO 3166-1 alpha-2.</param>
public sealed record PostalAddress(string Line1, string? Line2, string PostalCode, string City, string Country)
{
    /// <summary>Validates and normalises an address; field names are snake_case.</summary>
    /// <exception cref="DomainValidationException">A required part is missing or the country is unknown.</exception>
    public static PostalAddress Create(string? line1, string? line2, string? postalCode, string? city, string? country) => new(
        Guard.Text(line1, "address_line1", 200),
        Guard.OptionalText(line2, "address_line2", 200),
        Guard.Text(postalCode, "postal_code", 20),
        Guard.Text(city, "city", 100),
        Countries.Require(country));
}

/// <summary>The outcome of checking a buyer VAT id with VIES (issue 3: kept on the profile as evidence).</summary>
public enum VatIdStatus
{
    /// <summary>Not checked yet (or the check is switched off).</summary>
    Unchecked,
    /// <summary>VIES confirmed the id.</summary>
    Valid,
    /// <summary>VIES said the id is not valid.</summary>
    Invalid,
    /// <summary>VIES could not be reached or refused to answer; check again later.</summary>
    Unavailable,
}

/// <summary>A VIES consultation: status, when, the consultation number (requestIdentifier) and the registered name.</summary>
public sealed record VatIdCheck(VatIdStatus Status, DateTimeOffset CheckedAt, string? ConsultationNumber, string? RegisteredName, string? Detail);

/// <summary>A party frozen onto an invoice at finalisation (seller BG-4 or buyer BG-7).</summary>
/// <param name="LegalName">BT-27 / BT-44.</param>
/// <param name="Address">BG-5 / BG-8.</param>
/// <param name="VatId">BT-31 / BT-48, or null.</param>
/// <param name="Email">BT-43 / BT-58 contact e-mail.</param>
/// <param name="Iban">BT-84 payment account (seller only).</param>
/// <param name="Bic">BT-86 (seller only).</param>
/// <param name="ContactName">BT-41 seller contact point (seller only).</param>
/// <param name="ContactPhone">BT-42 seller contact telephone (seller only; XRechnung requires it).</param>
/// <param name="RegistrationId">BT-30 / BT-47 legal registration identifier (e.g. the Dutch KvK number).</param>
/// <param name="RegistrationScheme">Its ISO 6523 scheme (e.g. "0106" for KvK).</param>
public sealed record PartySnapshot(string LegalName, PostalAddress Address, string? VatId, string Email, string? Iban = null, string? Bic = null,
    string? ContactName = null, string? ContactPhone = null, string? RegistrationId = null, string? RegistrationScheme = null);

/// <summary>
/// The buyer side of invoices for one tenant (spec table tenant_billing_profiles). Raises tenant.billing_linked.v1
/// when created and tenant.billing_updated.v1 on each change.
/// </summary>
public sealed class TenantBillingProfile : AggregateRoot, ITenantOwned
{
    private TenantBillingProfile() { }

    /// <summary>Creates the profile of a tenant.</summary>
    /// <exception cref="DomainValidationException">A field is invalid (see <see cref="Update"/>).</exception>
    public TenantBillingProfile(string partnerId, string tenantId, string legalName, PostalAddress address, string? vatId, string email, DateTimeOffset now)
    {
        Id = Ids.New("tbp");
        PartnerId = partnerId;
        TenantId = tenantId;
        Apply(legalName, address, vatId, email, now);
        Raise(Event(EventTopics.TenantBillingLinked, now));
    }

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public string LegalName { get; private set; } = default!;
    public string AddressLine1 { get; private set; } = default!;
    public string? AddressLine2 { get; private set; }
    public string PostalCode { get; private set; } = default!;
    public string City { get; private set; } = default!;

    /// <summary>ISO 3166-1 alpha-2.</summary>
    public string Country { get; private set; } = default!;

    /// <summary>Normalised VAT id (e.g. "DE136695976"), or null for a consumer.</summary>
    public string? VatId { get; private set; }

    /// <summary>Outcome of the last VIES check of <see cref="VatId"/>.</summary>
    public VatIdStatus VatIdStatus { get; private set; }

    /// <summary>When VIES was consulted (UTC).</summary>
    public DateTimeOffset? VatIdCheckedAt { get; private set; }

    /// <summary>VIES consultation number (requestIdentifier), the evidence for reverse charge.</summary>
    public string? VatIdConsultationNumber { get; private set; }

    /// <summary>The name VIES has registered for the id.</summary>
    public string? VatIdRegisteredName { get; private set; }

    /// <summary>BT-10 buyer reference to quote on every invoice (e.g. a German Leitweg-ID); XRechnung requires one.</summary>
    public string? BuyerReference { get; private set; }

    /// <summary>The e-invoice format the tenant prefers ("ubl", "xrechnung-ubl", "xrechnung-cii", "cii"); null = UBL.</summary>
    public string? PreferredEInvoiceFormat { get; private set; }

    /// <summary>The language the buyer chose for invoices and credit notes (BCP 47, e.g. "de"); null = <see cref="DocumentLanguages.ForCountry"/> of <see cref="Country"/>.</summary>
    public string? DocumentLanguage { get; private set; }

    /// <summary>The language documents are written in: <see cref="DocumentLanguage"/>, else the default of the buyer's country.</summary>
    public string EffectiveDocumentLanguage => DocumentLanguage ?? DocumentLanguages.ForCountry(Country);

    /// <summary>BT-47 buyer legal registration identifier (company registration number), or null.</summary>
    public string? RegistrationId { get; private set; }

    /// <summary>Its ISO 6523 ICD (e.g. "0192" Norwegian organisation number); the Peppol party identifier scheme.</summary>
    public string? RegistrationScheme { get; private set; }

    /// <summary>True when the VAT id is present and VIES confirmed it: only then may reverse charge apply.</summary>
    public bool HasValidatedVatId => VatId is not null && VatIdStatus == VatIdStatus.Valid;
    public string Email { get; private set; } = default!;
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The address as a value.</summary>
    public PostalAddress Address => new(AddressLine1, AddressLine2, PostalCode, City, Country);

    /// <summary>Changes the profile; the VAT id must match the country's format and check digit.</summary>
    /// <exception cref="DomainValidationException">A field is invalid.</exception>
    public void Update(string legalName, PostalAddress address, string? vatId, string email, DateTimeOffset now)
    {
        Apply(legalName, address, vatId, email, now);
        Raise(Event(EventTopics.TenantBillingUpdated, now));
    }

    /// <summary>The buyer as frozen onto an invoice.</summary>
    public PartySnapshot Snapshot() => new(LegalName, Address, VatId, Email, RegistrationId: RegistrationId, RegistrationScheme: RegistrationScheme);

    /// <summary>
    /// Sets the document language (a BCP 47 tag, or null for the default of the buyer's country) and the company
    /// registration number with its ISO 6523 ICD (<see cref="RegistrationSchemes.Validate"/>). Raises
    /// tenant.billing_updated.v1 when something changed.
    /// </summary>
    /// <exception cref="DomainValidationException">Not a language tag, or a bad registration (fields document_language, registration_id, registration_scheme).</exception>
    public void SetDocuments(string? documentLanguage, string? registrationId, string? registrationScheme, DateTimeOffset now)
    {
        var language = string.IsNullOrWhiteSpace(documentLanguage) ? null : Templates.TemplateLanguage.Normalise(documentLanguage, "document_language");
        var (id, scheme) = RegistrationSchemes.Validate(registrationId, registrationScheme, Country);
        if (language == DocumentLanguage && id == RegistrationId && scheme == RegistrationScheme)
        {
            return;
        }

        (DocumentLanguage, RegistrationId, RegistrationScheme, UpdatedAt) = (language, id, scheme, now);
        Raise(Event(EventTopics.TenantBillingUpdated, now));
    }

    /// <summary>
    /// Sets the buyer reference (BT-10, at most 100 characters) and the preferred e-invoice format (one of
    /// <paramref name="knownFormats"/>, or null). Raises tenant.billing_updated.v1 when something changed.
    /// </summary>
    /// <exception cref="DomainValidationException">Too long a reference, or an unknown format (fields buyer_reference, preferred_einvoice_format).</exception>
    public void SetEInvoicing(string? buyerReference, string? preferredFormat, IReadOnlyCollection<string> knownFormats, DateTimeOffset now)
    {
        var reference = Guard.OptionalText(buyerReference, "buyer_reference", 100);
        var format = Guard.OptionalText(preferredFormat, "preferred_einvoice_format", 20);
        if (format is not null && !knownFormats.Contains(format))
        {
            throw new DomainValidationException("preferred_einvoice_format", $"preferred_einvoice_format must be one of {string.Join(", ", knownFormats)}.");
        }

        if (reference == BuyerReference && format == PreferredEInvoiceFormat)
        {
            return;
        }

        (BuyerReference, PreferredEInvoiceFormat, UpdatedAt) = (reference, format, now);
        Raise(Event(EventTopics.TenantBillingUpdated, now));
    }

    /// <summary>Records a VIES consultation of the current VAT id (raises tenant.billing_updated.v1 when the status changes).</summary>
    public void RecordVatIdCheck(VatIdCheck check)
    {
        var changed = check.Status != VatIdStatus;
        VatIdStatus = check.Status;
        VatIdCheckedAt = check.CheckedAt;
        VatIdConsultationNumber = Guard.OptionalText(check.ConsultationNumber, "vat_id_consultation_number", 100);
        VatIdRegisteredName = Guard.OptionalText(check.RegisteredName, "vat_id_registered_name", 200);
        if (changed)
        {
            Raise(Event(EventTopics.TenantBillingUpdated, check.CheckedAt));
        }
    }

    private void Apply(string legalName, PostalAddress address, string? vatId, string email, DateTimeOffset now)
    {
        var name = Guard.Text(legalName, "legal_name", 200);
        var mail = Guard.Email(email, "email");
        var vat = VatIds.Normalise(vatId, address.Country);
        LegalName = name;
        (AddressLine1, AddressLine2, PostalCode, City, Country) = (address.Line1, address.Line2, address.PostalCode, address.City, address.Country);
        if (vat != VatId)
        {
            // A new id has no evidence yet.
            (VatIdStatus, VatIdCheckedAt, VatIdConsultationNumber, VatIdRegisteredName) = (VatIdStatus.Unchecked, null, null, null);
        }

        VatId = vat;
        Email = mail;
        UpdatedAt = now;
    }

    private DomainEvent Event(string topic, DateTimeOffset now) => new(topic, PartnerId, TenantId, TenantId, now, new Dictionary<string, object?>
    {
        ["tenant_id"] = TenantId,
        ["partner_id"] = PartnerId,
        ["legal_name"] = LegalName,
        ["country"] = Country,
        ["vat_id"] = VatId,
        ["vat_id_status"] = VatIdStatus.ToString().ToLowerInvariant(),
        ["email"] = Email,
    });
}

/// <summary>
/// The seller side of invoices for one partner (spec table partner_configuration): legal identity, bank account and
/// the invoice number prefix of its own series. Raises partner.billing_linked.v1 / partner.billing_updated.v1.
/// </summary>
public sealed partial class PartnerConfiguration : AggregateRoot, IPartnerOwned
{
    private PartnerConfiguration() { }

    /// <summary>Creates the seller configuration of a partner.</summary>
    /// <exception cref="DomainValidationException">A field is invalid.</exception>
    public PartnerConfiguration(string partnerId, string legalName, PostalAddress address, string vatId, string email, string iban, string bic, string invoicePrefix, DateTimeOffset now)
    {
        PartnerId = partnerId;
        Apply(legalName, address, vatId, email, iban, bic, invoicePrefix, now);
        Raise(Event(EventTopics.PartnerBillingLinked, now));
    }

    public string PartnerId { get; private set; } = default!;
    public string LegalName { get; private set; } = default!;
    public string AddressLine1 { get; private set; } = default!;
    public string? AddressLine2 { get; private set; }
    public string PostalCode { get; private set; } = default!;
    public string City { get; private set; } = default!;
    public string Country { get; private set; } = default!;
    public string VatId { get; private set; } = default!;
    public string Email { get; private set; } = default!;
    public string Iban { get; private set; } = default!;
    public string Bic { get; private set; } = default!;

    /// <summary>BT-41 seller contact point.</summary>
    public string? ContactName { get; private set; }

    /// <summary>BT-42 seller contact telephone (XRechnung requires one).</summary>
    public string? ContactPhone { get; private set; }

    /// <summary>BT-30 legal registration identifier (e.g. KvK number); identifies the seller on export e-invoices.</summary>
    public string? RegistrationId { get; private set; }

    /// <summary>ISO 6523 scheme of <see cref="RegistrationId"/> (e.g. "0106" KvK, "0007" Swedish organisation number).</summary>
    public string? RegistrationScheme { get; private set; }

    /// <summary>How cross-border B2C supplies are charged (Art. 59c): union scheme (default) or the EUR 10,000 threshold.</summary>
    public OssMode OssMode { get; private set; }

    /// <summary>Prefix of the partner's number series: PREFIX-YYYY-NNNNNN (default "SCAI").</summary>
    public string InvoicePrefix { get; private set; } = default!;
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The address as a value.</summary>
    public PostalAddress Address => new(AddressLine1, AddressLine2, PostalCode, City, Country);

    /// <summary>Changes the configuration (finalised invoices keep their snapshot).</summary>
    /// <exception cref="DomainValidationException">A field is invalid.</exception>
    public void Update(string legalName, PostalAddress address, string vatId, string email, string iban, string bic, string invoicePrefix, DateTimeOffset now)
    {
        Apply(legalName, address, vatId, email, iban, bic, invoicePrefix, now);
        Raise(Event(EventTopics.PartnerBillingUpdated, now));
    }

    /// <summary>The seller as frozen onto an invoice.</summary>
    public PartySnapshot Snapshot() => new(LegalName, Address, VatId, Email, Iban, Bic, ContactName, ContactPhone, RegistrationId, RegistrationScheme);

    /// <summary>Sets the contact point (BT-41/42) and legal registration (BT-30 with its ISO 6523 scheme); raises partner.billing_updated.v1.</summary>
    /// <exception cref="DomainValidationException">A value is too long, the phone has no digits, or a registration id lacks its scheme.</exception>
    public void SetContactAndRegistration(string? contactName, string? contactPhone, string? registrationId, string? registrationScheme, DateTimeOffset now)
    {
        var name = Guard.OptionalText(contactName, "contact_name", 100);
        var phone = Guard.OptionalText(contactPhone, "contact_phone", 30);
        if (phone is not null && !phone.Any(char.IsAsciiDigit))
        {
            throw new DomainValidationException("contact_phone", "contact_phone must contain digits.");
        }

        var registration = Guard.OptionalText(registrationId, "registration_id", 50);
        var scheme = Guard.OptionalText(registrationScheme, "registration_scheme", 4);
        if (registration is not null && (scheme is null || scheme.Length != 4 || !scheme.All(char.IsAsciiDigit)))
        {
            throw new DomainValidationException("registration_scheme", "registration_scheme must be a four-digit ISO 6523 ICD (e.g. 0106).");
        }

        (ContactName, ContactPhone, RegistrationId, RegistrationScheme, UpdatedAt) = (name, phone, registration, registration is null ? null : scheme, now);
        Raise(Event(EventTopics.PartnerBillingUpdated, now));
    }

    /// <summary>Chooses how cross-border B2C supplies are charged (raises partner.billing_updated.v1).</summary>
    public void SetOssMode(OssMode mode, DateTimeOffset now)
    {
        OssMode = mode;
        UpdatedAt = now;
        Raise(Event(EventTopics.PartnerBillingUpdated, now));
    }

    private void Apply(string legalName, PostalAddress address, string vatId, string email, string iban, string bic, string invoicePrefix, DateTimeOffset now)
    {
        var name = Guard.Text(legalName, "legal_name", 200);
        var vat = VatIds.Normalise(vatId, address.Country) ?? throw new DomainValidationException("vat_id", "A seller needs a VAT id.");
        var mail = Guard.Email(email, "email");
        var ibanText = new string(Guard.Text(iban, "iban", 40).Where(c => c != ' ').ToArray()).ToUpperInvariant();
        if (!IbanIsValid(ibanText))
        {
            throw new DomainValidationException("iban", "iban fails the ISO 13616 check digits.");
        }

        var bicText = Guard.Text(bic, "bic", 11).ToUpperInvariant();
        if (!BicPattern().IsMatch(bicText))
        {
            throw new DomainValidationException("bic", "bic must be 8 or 11 characters (ISO 9362).");
        }

        var prefix = Guard.Text(invoicePrefix, "invoice_prefix", 10).ToUpperInvariant();
        if (!PrefixPattern().IsMatch(prefix))
        {
            throw new DomainValidationException("invoice_prefix", "invoice_prefix must be 2-10 upper-case letters or digits.");
        }

        LegalName = name;
        (AddressLine1, AddressLine2, PostalCode, City, Country) = (address.Line1, address.Line2, address.PostalCode, address.City, address.Country);
        VatId = vat;
        Email = mail;
        Iban = ibanText;
        Bic = bicText;
        InvoicePrefix = prefix;
        UpdatedAt = now;
    }

    /// <summary>ISO 13616 / ISO 7064 MOD 97-10 check of an IBAN without spaces.</summary>
    public static bool IbanIsValid(string iban)
    {
        if (iban.Length is < 15 or > 34 || !iban.All(char.IsAsciiLetterOrDigit) || !char.IsAsciiLetter(iban[0]) || !char.IsAsciiLetter(iban[1]))
        {
            return false;
        }

        var remainder = 0;
        foreach (var c in iban[4..] + iban[..4])
        {
            var value = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
        }

        return remainder == 1;
    }

    private DomainEvent Event(string topic, DateTimeOffset now) => new(topic, PartnerId, null, PartnerId, now, new Dictionary<string, object?>
    {
        ["partner_id"] = PartnerId,
        ["legal_name"] = LegalName,
        ["country"] = Country,
        ["vat_id"] = VatId,
        ["invoice_prefix"] = InvoicePrefix,
        ["oss_mode"] = OssMode == OssMode.Threshold ? "threshold" : "union_scheme",
    });

    [GeneratedRegex("^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")]
    private static partial Regex BicPattern();

    [GeneratedRegex("^[A-Z0-9]{2,10}$")]
    private static partial Regex PrefixPattern();
}
