#!/usr/bin/env bash
# Runs ScaiControl on the embedded default (SQLite under ./data, demo data on first run, development sign-in)
# and prints the portal URL. Installs Debian's chromium first when it is missing (it renders invoice PDFs); the app
# also starts without it, finalises invoices all the same and renders their PDFs once chromium is there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -x /usr/bin/chromium ]]; then
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "[run.sh] installing Debian's chromium for invoice PDFs ..."
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >/tmp/scai-run-apt.log 2>&1 \
            || echo "[run.sh] could not install chromium (see /tmp/scai-run-apt.log); PDFs stay pending until it is installed"
    else
        echo "[run.sh] chromium is not installed (apt-get install chromium as root); PDFs stay pending until it is"
    fi
fi
echo "[run.sh] starting ScaiControl at ${ASPNETCORE_URLS:-http://127.0.0.1:5080} (sign in as ops@scailabs.example or any demo user)"
exec dotnet run --project ScaiControl.Web "$@"
