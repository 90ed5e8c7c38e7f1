#!/usr/bin/env bash
# Benchmarks (not tests); each measures ScaiControl side by side with a plain baseline in the same run and writes its
# own section of docs/benchmarks.md (the other sections are kept).
#   scripts/bench.sh [all]              both benchmarks below, with their default counts
#   scripts/bench.sh pdf [count=40]     invoice PDF rendering: ScaiControl's renderer vs a plain chromium print, same HTML.
#                                       Needs Debian's chromium (installed when missing, as root).
#   scripts/bench.sh webhooks [count=2000]
#                                       webhook deliveries per second through the real dispatcher vs plain HttpClient
#                                       POSTs to the same 127.0.0.1 receiver, and the dispatch lag; on SQLite, and on a
#                                       throwaway PostgreSQL (started here like scripts/test.sh does) when PostgreSQL's
#                                       server binaries are installed (SCAI_BENCH_PG=<connection string> uses a running
#                                       server instead; SCAI_BENCH_PG=none skips PostgreSQL).
#   scripts/bench.sh numbering [count=300]
#                                       finalisations per second with gap-free numbering for one hot seller vs the raw
#                                       counter transaction (SELECT ... FOR UPDATE, UPDATE, INSERT, COMMIT) on the same
#                                       server: PostgreSQL, MariaDB and a two-node Galera cluster (writes through both
#                                       nodes), each a throwaway server started here (scripts/mariadb-servers.sh), with
#                                       the Galera retry rate. Needs mariadb-server, galera-4, mariadb-backup (installed
#                                       when missing, as root) and PostgreSQL's server binaries.
#   scripts/bench.sh reads [seconds=10]
#                                       the API's read paths (subscriptions, invoices, catalog as a tenant and as the
#                                       operator) at 50 concurrent requests, the app on Kestrel in the benchmark's
#                                       process, 1,000 seeded tenants; vs a bare minimal-API GET in the same process; on
#                                       SQLite and on a throwaway PostgreSQL (as for webhooks; SCAI_BENCH_PG likewise).
#   scripts/bench.sh <count>            the same as `pdf <count>` (the command line before the webhook benchmark).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

what=${1:-all}
if [[ $what =~ ^[0-9]+$ ]]; then set -- pdf "$what"; what=pdf; fi
case $what in
    pdf | webhooks | numbering | reads | all) ;;
    *) echo "usage: scripts/bench.sh [all | pdf [count] | webhooks [count] | numbering [count] | reads [seconds]]" >&2; exit 2 ;;
esac
count=${2:-}
say() { echo "[bench.sh] $*" >&2; }

tmp=$(mktemp -d /tmp/scai-bench.XXXXXX)
pg_started=0
source scripts/mariadb-servers.sh
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
cleanup() {
    if ((pg_started)); then as_pg "$PG_BIN/pg_ctl" -D "$tmp/pgdata" -m immediate -w stop >/dev/null 2>&1 || true; fi
    pg_started=0
    mariadb_stop_all
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
say "building ScaiControl.Benchmarks (Release)"
dotnet build -c Release ScaiControl.Benchmarks >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; say "build failed"; exit 1; }
run() { dotnet run -c Release --no-build --project ScaiControl.Benchmarks -- "$@"; }

start_pg() {
    # A throwaway PostgreSQL on 127.0.0.1 and a free port (as scripts/test.sh: initdb as the postgres OS user when
    # root, no durability needed); only when the server binaries are there - nothing is installed for this.
    if [[ -z ${SCAI_BENCH_PG:-} ]]; then
        PG_BIN=
        while read -r d; do [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] && PG_BIN=$d; done \
            < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
        if [[ -n $PG_BIN ]]; then
            if ((EUID == 0)); then
                id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
                chown postgres: "$tmp"
                as_pg() { (cd "$tmp" && runuser -u postgres -- "$@"); }
            else
                as_pg() { (cd "$tmp" && "$@"); }
            fi
            echo postgres >"$tmp/pwfile" && chmod 600 "$tmp/pwfile"
            ((EUID == 0)) && chown postgres: "$tmp/pwfile"
            as_pg "$PG_BIN/initdb" -D "$tmp/pgdata" -U postgres --pwfile="$tmp/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
                --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; say "initdb failed"; exit 1; }
            port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
            port=56432
            while port_in_use "$port"; do port=$((port + 1)); done
            # Default durability settings (fsync, synchronous_commit on), unlike the test server: commits cost what they cost.
            as_pg "$PG_BIN/pg_ctl" -D "$tmp/pgdata" -l "$tmp/postgres.log" -w -t 60 start \
                -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$tmp -c max_connections=200" >/dev/null 2>&1 \
                || { cat "$tmp/postgres.log"; say "could not start PostgreSQL"; exit 1; }
            pg_started=1
            export SCAI_BENCH_PG="Host=127.0.0.1;Port=$port;Username=postgres;Password=postgres;Database=postgres"
            say "PostgreSQL $(basename "$(dirname "$PG_BIN")") on 127.0.0.1:$port"
        else
            say "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin: SQLite only"
        fi
    elif [[ $SCAI_BENCH_PG == none ]]; then
        unset SCAI_BENCH_PG
    fi
}

if [[ $what == pdf || $what == all ]]; then
    [[ -x /usr/bin/chromium ]] || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
    run pdf "${count:-40}" docs/benchmarks.md
fi

if [[ $what == webhooks || $what == all ]]; then
    start_pg
    run webhooks "${count:-2000}" docs/benchmarks.md
fi

if [[ $what == reads || $what == all ]]; then
    start_pg
    run reads "${count:-10}" docs/benchmarks.md
fi

if [[ $what == numbering || $what == all ]]; then
    start_pg
    if [[ ! -x /usr/sbin/mariadbd || ! -f /usr/lib/galera/libgalera_smm.so ]] || ! command -v mariabackup >/dev/null || ! command -v socat >/dev/null; then
        ((EUID == 0)) || { say "mariadb-server, galera-4, mariadb-backup, socat are missing (run as root to install them)"; exit 1; }
        policy=/usr/sbin/policy-rc.d own_policy=0
        if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1; fi
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server galera-4 mariadb-backup socat; } >"$tmp/apt.log" 2>&1 \
            || { ((own_policy)) && rm -f "$policy"; cat "$tmp/apt.log"; say "apt-get install failed"; exit 1; }
        ((own_policy)) && rm -f "$policy"
    fi
    mariadb_start "$tmp/mariadb" || exit 1
    export SCAI_BENCH_MARIADB="Server=127.0.0.1;Port=$MARIADB_PORT;User ID=scai;Password=scai;Database=mysql"
    say "MariaDB on 127.0.0.1:$MARIADB_PORT"
    galera_start "$tmp/galera" || exit 1
    export SCAI_BENCH_GALERA1="Server=127.0.0.1;Port=$GALERA1_PORT;User ID=scai;Password=scai;Database=mysql"
    export SCAI_BENCH_GALERA2="Server=127.0.0.1;Port=$GALERA2_PORT;User ID=scai;Password=scai;Database=mysql"
    say "Galera (2 nodes) on 127.0.0.1:$GALERA1_PORT and 127.0.0.1:$GALERA2_PORT"
    run numbering "${count:-300}" docs/benchmarks.md
fi
