#!/usr/bin/env bash
# Benchmarks (not tests): invoice PDF rendering, ScaiControl's renderer vs a plain chromium print, same HTML, same run.
# Writes docs/benchmarks.md. Needs Debian's chromium (installed when missing, as root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -x /usr/bin/chromium ]] || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
dotnet run -c Release --project ScaiControl.Benchmarks -- "${1:-40}" docs/benchmarks.md
