#!/usr/bin/env bash
# Runs ScaiControl on the embedded default (SQLite under ./data, demo data on first run, development sign-in)
# and prints the portal URL. Installs Debian's chromium first when it is missing (it renders invoice PDFs); the app
# also starts without it, finalises invoices all the same and renders their PDFs once chromium is there. Likewise
# Debian's qpdf for the Factur-X export (without it, format=facturx answers 503 with the reason).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/bin/qpdf ]] || missing+=(qpdf)
if ((${#missing[@]})); then
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "[run.sh] installing Debian's ${missing[*]} (invoice PDFs, Factur-X) ..."
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } >/tmp/scai-run-apt.log 2>&1 \
            || echo "[run.sh] could not install ${missing[*]} (see /tmp/scai-run-apt.log); PDFs stay pending / Factur-X answers 503 until installed"
    else
        echo "[run.sh] not installed: ${missing[*]} (apt-get install as root); PDFs stay pending / Factur-X answers 503 until they are"
    fi
fi
if [[ ! -d ScaiControl.Web/bin ]]; then
    echo "[run.sh] first start: restoring packages, npm assets and compiling takes a few minutes ..."
fi
echo "[run.sh] starting ScaiControl at ${ASPNETCORE_URLS:-http://127.0.0.1:5080} (sign in as ops@scailabs.example or any demo user)"
exec dotnet run --project ScaiControl.Web "$@"
