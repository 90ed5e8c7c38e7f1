#!/usr/bin/env python3
"""Writes ScaiControl.Web/Localization/Strings.resx (English) and Strings.de.resx (German) from the table below."""
import os
from xml.sax.saxutils import escape

S = {
    # shell
    "Shell.Product": ("ScaiControl", "ScaiControl"),
    "Shell.OpenMenu": ("Open the navigation", "Navigation öffnen"),
    "Shell.SignOut": ("Sign out", "Abmelden"),
    "Shell.SignIn": ("Sign in", "Anmelden"),
    "Shell.DarkMode": ("Dark mode", "Dunkler Modus"),
    "Shell.LightMode": ("Light mode", "Heller Modus"),
    "Shell.Language": ("Language", "Sprache"),
    "Shell.English": ("English", "English"),
    "Shell.German": ("Deutsch", "Deutsch"),
    "Shell.NotFound": ("There is nothing at this address.", "Unter dieser Adresse gibt es nichts."),
    "Shell.NotPermitted": ("You do not have permission to see this page.", "Sie haben keine Berechtigung für diese Seite."),
    "Shell.CircuitLost": ("The connection to the server was lost. Reload the page to continue.", "Die Verbindung zum Server ist unterbrochen. Laden Sie die Seite neu."),
    # navigation
    "Nav.Tenant": ("Your account", "Ihr Konto"),
    "Nav.Admin": ("Administration", "Verwaltung"),
    "Nav.Overview": ("Overview", "Übersicht"),
    "Nav.Dashboard": ("Dashboard", "Dashboard"),
    "Nav.Catalog": ("Catalog", "Katalog"),
    "Nav.Subscriptions": ("Subscriptions", "Abonnements"),
    "Nav.Invoices": ("Invoices", "Rechnungen"),
    "Nav.InvoicesAndRuns": ("Invoices and billing runs", "Rechnungen und Abrechnungsläufe"),
    "Nav.BillingProfile": ("Billing profile", "Rechnungsprofil"),
    "Nav.Partners": ("Partners", "Partner"),
    "Nav.Tenants": ("Tenants", "Mandanten"),
    "Nav.Packs": ("Packs", "Pakete"),
    "Nav.Templates": ("Templates", "Vorlagen"),
    "Nav.Webhooks": ("Webhooks", "Webhooks"),
    # shared: list page
    "List.Search": ("Search", "Suchen"),
    "List.Empty": ("Nothing to show.", "Keine Einträge."),
    "List.Loading": ("Loading…", "Wird geladen…"),
    "List.ExportCsv": ("Export CSV", "CSV exportieren"),
    "List.Previous": ("Previous page", "Vorherige Seite"),
    "List.Next": ("Next page", "Nächste Seite"),
    "List.Page": ("Page {0}", "Seite {0}"),
    "List.Status": ("Status", "Status"),
    "List.All": ("all", "alle"),
    # shared: confirm dialog
    "Confirm.Cancel": ("Go back", "Zurück"),
    "Confirm.Working": ("Working…", "Wird ausgeführt…"),
    "Confirm.Irreversible": ("This cannot be undone.", "Dies kann nicht rückgängig gemacht werden."),
    # shared: errors
    "Error.Unexpected": ("Something went wrong on our side. Try again; if it keeps failing, contact the operator.", "Bei uns ist etwas schiefgelaufen. Versuchen Sie es erneut; wenn es weiter fehlschlägt, wenden Sie sich an den Betreiber."),
    "Error.FixFields": ("Please correct the highlighted fields.", "Bitte korrigieren Sie die markierten Felder."),
    # sign-in
    "SignIn.Title": ("Sign in", "Anmelden"),
    "SignIn.Dev": ("Development sign-in: choose a demo user, or search for any user by e-mail or name. Each gets the same claims a ScaiKey token carries.", "Entwicklungs-Anmeldung: Wählen Sie einen Demo-Benutzer oder suchen Sie einen Benutzer nach E-Mail oder Name. Jeder erhält dieselben Claims wie ein ScaiKey-Token."),
    "SignIn.Search": ("E-mail or name", "E-Mail oder Name"),
    "SignIn.Demo": ("Demo users", "Demo-Benutzer"),
    "SignIn.Found": ("Matching users", "Gefundene Benutzer"),
    "SignIn.NoMatch": ("No user matches.", "Kein Benutzer gefunden."),
    "SignIn.Unknown": ("That user does not exist.", "Diesen Benutzer gibt es nicht."),
    "SignIn.ScaiKey": ("Sign in with ScaiKey. The development sign-in is not available in this environment.", "Melden Sie sich mit ScaiKey an. Die Entwicklungs-Anmeldung ist in dieser Umgebung nicht verfügbar."),
    # home
    "Home.Welcome": ("Welcome to ScaiControl", "Willkommen bei ScaiControl"),
    "Home.SignedInAs": ("Signed in as {0} ({1}).", "Angemeldet als {0} ({1})."),
    # shared: field labels
    "Field.Name": ("Name", "Name"),
    "Field.Id": ("Id", "ID"),
    "Field.Created": ("Created", "Angelegt"),
    # admin: partners
    "Partners.Title": ("Partners", "Partner"),
    "Partners.Intro": ("The operator and the resellers that sell to their own tenants.", "Der Betreiber und die Wiederverkäufer, die an eigene Mandanten verkaufen."),
    "Partners.New": ("New reseller partner", "Neuer Wiederverkäufer"),
    "Partners.Create": ("Create partner", "Partner anlegen"),
    "Partners.Created": ("Created {0}.", "{0} angelegt."),
    "Partners.NameRequired": ("Enter the partner's name.", "Geben Sie den Namen des Partners ein."),
    "Partners.Search": ("Search by name", "Nach Name suchen"),
    "Partners.Empty": ("No partners match.", "Keine passenden Partner."),
    "Partners.Loading": ("Loading partners…", "Partner werden geladen…"),
    "Partners.Role": ("Role", "Rolle"),
    "Partners.Operator": ("Operator", "Betreiber"),
    "Partners.Reseller": ("Reseller", "Wiederverkäufer"),
}

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "ScaiControl.Web", "Localization")
HEAD = """<?xml version="1.0" encoding="utf-8"?>
<!-- Generated by tools/portal-strings.py: edit the table there. -->
<root>
  <resheader name="resmimetype"><value>text/microsoft-resx</value></resheader>
  <resheader name="version"><value>2.0</value></resheader>
  <resheader name="reader"><value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
  <resheader name="writer"><value>System.Resources.ResXResourceWriter, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
"""
for suffix, index in (("", 0), (".de", 1)):
    with open(os.path.join(out, f"Strings{suffix}.resx"), "w", encoding="utf-8") as f:
        f.write(HEAD)
        for key in sorted(S):
            f.write(f'  <data name="{escape(key)}" xml:space="preserve"><value>{escape(S[key][index])}</value></data>\n')
        f.write("</root>\n")
