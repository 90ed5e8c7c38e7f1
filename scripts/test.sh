#!/usr/bin/env bash
# The project's one test command (CI runs it through .ci/run).
#   scripts/test.sh [extra dotnet test args, e.g. --filter Category=Unit]
# 1. installs the Debian packages the tests need, if missing (postgresql, chromium, poppler-utils, qpdf,
#    redis-server, mariadb-server, galera-4, mariadb-backup, socat); SCAI_REDIS_SERVER points at redis-server (the
#    Redis tests start their own servers with it);
#    then installs the npm test helpers in tools/test-servers (npm ci, when missing or stale); SCAI_S3RVER
#    points at s3rver's CLI (the storage tests start their own S3-compatible server with it); SCAI_OIDC_PROVIDER
#    at the OpenID Connect test provider's script (oidc-provider; the identity tests start it);
# 2. starts a fresh throwaway PostgreSQL on 127.0.0.1 and a free port, in a temp dir removed on exit;
#    SCAI_TEST_PG points at it (tests create their own databases);
# 2b. starts a throwaway MariaDB server (SCAI_TEST_MARIADB) and a two-node Galera cluster (SCAI_TEST_GALERA1,
#    SCAI_TEST_GALERA2), as plain processes on 127.0.0.1 and free ports, in the same temp dir (scripts/mariadb-servers.sh);
#    each connection string has a user that may create databases;
# 3. runs `dotnet test ScaiControl.sln` with a TRX logger and prints, as the last line,
#    "N passed, N failed, N skipped". Exits non-zero on a build failure, a failed test or no passed test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "[test.sh] $*"; }
t0=$SECONDS step_t=$SECONDS lap=0
lap() { lap=$((SECONDS - step_t)); step_t=$SECONDS; }   # seconds the step took, in $lap

tmp=$(mktemp -d /tmp/scai-test.XXXXXX)
pgdata=$tmp/pgdata
results=$tmp/results
pg_started=0
source scripts/mariadb-servers.sh
cleanup() {
    if ((pg_started)); then as_pg "$PG_BIN/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true; fi
    pg_started=0
    mariadb_stop_all
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- 1. Debian packages -------------------------------------------------------------------------
pg_bindir() {   # newest /usr/lib/postgresql/*/bin with the server binaries, or nothing
    local d best=
    while read -r d; do [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] && best=$d; done \
        < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
    echo "$best"
}
missing=()
[[ -n $(pg_bindir) ]] || missing+=(postgresql)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
[[ -x /usr/bin/redis-server ]] || missing+=(redis-server)
[[ -x /usr/sbin/mariadbd && -x /usr/bin/mariadb-install-db ]] || missing+=(mariadb-server)
[[ -f /usr/lib/galera/libgalera_smm.so ]] || missing+=(galera-4)
command -v mariabackup >/dev/null 2>&1 || missing+=(mariadb-backup)
command -v socat >/dev/null 2>&1 || missing+=(socat)
if ((${#missing[@]})); then
    if ((EUID != 0)); then say "missing Debian packages: ${missing[*]} (run as root to install them)"; exit 1; fi
    say "installing ${missing[*]} ..."
    export DEBIAN_FRONTEND=noninteractive
    # Keep Debian from starting the system services it installs (mariadb on 3306, postgresql on 5432): the tests
    # start their own. A policy-rc.d put here is removed again; an existing one is left as it is.
    policy=/usr/sbin/policy-rc.d own_policy=0
    if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1; fi
    { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >"$tmp/apt.log" 2>&1 \
        || { ((own_policy)) && rm -f "$policy"; cat "$tmp/apt.log"; say "apt-get install ${missing[*]} failed"; exit 1; }
    ((own_policy)) && rm -f "$policy"
    lap; say "installed ${missing[*]} (${lap}s)"
else
    lap; say "packages present: postgresql chromium poppler-utils qpdf redis-server mariadb-server galera-4 mariadb-backup socat (${lap}s)"
fi
PG_BIN=$(pg_bindir)
[[ -n $PG_BIN ]] || { say "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"; exit 1; }

# ---- 1b. npm test helpers (tools/test-servers: s3rver, oidc-provider) --------------------------------------------
# npm ci when node_modules is missing or older than package-lock.json (npm ci writes node_modules/.package-lock.json).
servers=$PWD/tools/test-servers
if [[ ! -f $servers/node_modules/.package-lock.json || $servers/package-lock.json -nt $servers/node_modules/.package-lock.json ]]; then
    if ! command -v npm >/dev/null 2>&1; then
        if ((EUID != 0)); then say "npm is missing: install Debian's nodejs npm (run as root to install them)"; exit 1; fi
        say "installing nodejs npm ..."
        { DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; } \
            >"$tmp/apt-npm.log" 2>&1 || { cat "$tmp/apt-npm.log"; say "apt-get install nodejs npm failed"; exit 1; }
    fi
    (cd "$servers" && npm ci --no-audit --no-fund) >"$tmp/npm.log" 2>&1 \
        || { cat "$tmp/npm.log"; say "npm ci in tools/test-servers failed"; exit 1; }
    npm_did="npm ci"
else
    npm_did="up to date"
fi
export SCAI_S3RVER=$servers/node_modules/s3rver/bin/s3rver.js
[[ -f $SCAI_S3RVER ]] || { say "no $SCAI_S3RVER after npm ci"; exit 1; }
# The OpenID Connect test provider (oidc-provider, standing in for ScaiKey, with a fake /auth/me): the identity
# tests start it with node on 127.0.0.1 and a free port.
export SCAI_OIDC_PROVIDER=$servers/oidc-provider.mjs
[[ -d $servers/node_modules/oidc-provider ]] || { say "no oidc-provider in $servers/node_modules after npm ci"; exit 1; }
# The official MCP TypeScript client (@modelcontextprotocol/sdk), driven by the MCP tests through mcp-client.mjs.
export SCAI_MCP_CLIENT=$servers/mcp-client.mjs
[[ -d $servers/node_modules/@modelcontextprotocol/sdk ]] || { say "no @modelcontextprotocol/sdk in $servers/node_modules after npm ci"; exit 1; }
lap; say "test servers: s3rver, oidc-provider, MCP client $npm_did in tools/test-servers (${lap}s)"

# ---- 2. throwaway PostgreSQL --------------------------------------------------------------------
# initdb refuses root: run the server as the postgres OS user (as ourselves when not root).
if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres: "$tmp"
    as_pg() { (cd "$tmp" && runuser -u postgres -- "$@"); }
else
    as_pg() { (cd "$tmp" && "$@"); }
fi

echo postgres > "$tmp/pwfile"
chmod 600 "$tmp/pwfile"
((EUID == 0)) && chown postgres: "$tmp/pwfile"
as_pg "$PG_BIN/initdb" -D "$pgdata" -U postgres --pwfile="$tmp/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log"; say "initdb failed"; exit 1; }
rm -f "$tmp/pwfile"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=55432
for ((try = 0; ; try++)); do
    while port_in_use "$port"; do port=$((port + 1)); done
    # Throwaway data: no durability needed. Unix socket stays inside the temp dir.
    if as_pg "$PG_BIN/pg_ctl" -D "$pgdata" -l "$tmp/postgres.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$tmp -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >/dev/null 2>&1; then
        pg_started=1
        break
    fi
    if ((try >= 20)); then cat "$tmp/postgres.log" 2>/dev/null; say "could not start PostgreSQL"; exit 1; fi
    port=$((port + 1))
done
PGPASSWORD=postgres "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc 'select 1' >/dev/null \
    || { cat "$tmp/postgres.log"; say "PostgreSQL does not accept postgres/postgres over TCP"; exit 1; }
export SCAI_TEST_PG="Host=127.0.0.1;Port=$port;Username=postgres;Password=postgres;Database=postgres"
export SCAI_PG_BIN=$PG_BIN   # pg_dump / pg_restore of the same server version (restore drill)
lap; say "PostgreSQL $(basename "$(dirname "$PG_BIN")") on 127.0.0.1:$port (data in $pgdata) (${lap}s)"

# ---- 2b. throwaway MariaDB and a two-node Galera cluster ----------------------------------------
# Never the system service or port 3306: own option files, data dirs and sockets under $tmp (scripts/mariadb-servers.sh).
mariadb_start "$tmp/mariadb" || { say "could not start MariaDB"; exit 1; }
export SCAI_TEST_MARIADB="Server=127.0.0.1;Port=$MARIADB_PORT;User ID=scai;Password=scai;Database=mysql"
lap; say "MariaDB $(mariadb_sql "$tmp/mariadb" 'SELECT VERSION()') on 127.0.0.1:$MARIADB_PORT (data in $tmp/mariadb) (${lap}s)"
galera_start "$tmp/galera" || { say "could not start the Galera cluster"; exit 1; }
export SCAI_TEST_GALERA1="Server=127.0.0.1;Port=$GALERA1_PORT;User ID=scai;Password=scai;Database=mysql"
export SCAI_TEST_GALERA2="Server=127.0.0.1;Port=$GALERA2_PORT;User ID=scai;Password=scai;Database=mysql"
lap; say "Galera cluster of 2 (mariabackup SST) on 127.0.0.1:$GALERA1_PORT and 127.0.0.1:$GALERA2_PORT (data in $tmp/galera) (${lap}s)"

# ---- 3. dotnet test -----------------------------------------------------------------------------
export SCAI_CHROMIUM=/usr/bin/chromium
# The Redis tests start their own redis-server on 127.0.0.1 and free ports (--save '' --appendonly no, temp dirs);
# the Debian package's system service is never used.
export SCAI_REDIS_SERVER=/usr/bin/redis-server
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1   # never download browsers: Debian's chromium is used
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
say "dotnet test ScaiControl.sln $*"
# LogFilePrefix, not LogFileName: with a fixed LogFileName every test project of the solution writes the
# same results.trx and the last one overwrites the others; a prefix gives each its own file.
rc=0
dotnet test ScaiControl.sln \
    --logger "trx;LogFilePrefix=results" --logger "console;verbosity=normal" \
    --results-directory "$results" "$@" || rc=$?
lap; say "dotnet test exited $rc (${lap}s)"

# ---- 4. summary from the TRX file(s) ------------------------------------------------------------
counter() { sed -n "s/.*<Counters[^>]* $1=\"\([0-9]*\)\".*/\1/p" "$2" | head -n 1; }
total=0 passed=0 failed=0 files=0
while IFS= read -r -d '' trx; do
    files=$((files + 1))
    t=$(counter total "$trx"); p=$(counter passed "$trx")
    f=0; for a in failed error timeout aborted; do f=$((f + $(counter "$a" "$trx" || true) + 0)); done
    total=$((total + ${t:-0})); passed=$((passed + ${p:-0})); failed=$((failed + f))
done < <(find "$results" -name '*.trx' -print0 2>/dev/null)

# The failed tests by name (CI shows only the end of the output): one line each, before the summary.
while IFS= read -r -d '' trx; do
    grep -o '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"[^>]*>' "$trx" 2>/dev/null \
        | sed -n 's/.*testName="\([^"]*\)".*/\1/p' | sed 's/^/[test.sh] FAILED: /' || true
done < <(find "$results" -name '*.trx' -print0 2>/dev/null)

cleanup
say "total $((SECONDS - t0))s"
if ((files == 0)); then
    say "no TRX file: the build or the test run failed before any test ran"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi
skipped=$((total - passed - failed)); ((skipped >= 0)) || skipped=0
# A non-zero dotnet test with no failed test counted (a project that did not build, a crashed test host)
# still counts as one failure, so the summary never reads clean on a red run.
if ((rc != 0 && failed == 0)); then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
if ((rc != 0 || failed > 0 || passed == 0)); then exit 1; fi
