#!/usr/bin/env bash
# Adds an EF Core migration NAME for ALL THREE providers (SQLite, PostgreSQL, MariaDB), each in its own folder
# (Persistence/Migrations/Sqlite, /Postgres, /MariaDb). No database server is needed (MariaDB's model is built for
# the fixed server version in MariaDbScaiDbContext.ServerVersion).
# Usage: scripts/add-migration.sh [--provider Sqlite|Postgres|MariaDb]... NAME
#   --provider limits it to the given provider(s); used once, for MariaDB's initial migration of an existing model.
set -euo pipefail
cd "$(dirname "$0")/.."
providers=()
while [[ $# -gt 1 ]]; do
  case $1 in
    --provider) providers+=("$2"); shift 2 ;;
    *) echo "usage: scripts/add-migration.sh [--provider Sqlite|Postgres|MariaDb]... NAME" >&2; exit 2 ;;
  esac
done
name=${1:?usage: scripts/add-migration.sh [--provider Sqlite|Postgres|MariaDb]... NAME}
((${#providers[@]})) || providers=(Sqlite Postgres MariaDb)
dotnet tool restore >/dev/null
common=(--project ScaiControl.Infrastructure --startup-project ScaiControl.Infrastructure)
for p in "${providers[@]}"; do
  case $p in
    Sqlite) context=SqliteScaiDbContext ;;
    Postgres) context=PostgresScaiDbContext ;;
    MariaDb) context=MariaDbScaiDbContext ;;
    *) echo "unknown provider '$p' (Sqlite, Postgres or MariaDb)" >&2; exit 2 ;;
  esac
  dotnet ef migrations add "$name" "${common[@]}" --context "$context" --output-dir "Persistence/Migrations/$p" \
    --namespace "ScaiControl.Infrastructure.Persistence.Migrations.$p"
  # `--namespace` makes dotnet-ef write the model snapshot under a namespace-shaped folder; keep it beside its migrations.
  if compgen -G "ScaiControl.Infrastructure/ScaiControl/Infrastructure/Persistence/Migrations/$p/*Snapshot.cs" >/dev/null; then
    mv ScaiControl.Infrastructure/ScaiControl/Infrastructure/Persistence/Migrations/$p/*Snapshot.cs ScaiControl.Infrastructure/Persistence/Migrations/$p/
  fi
done
rm -rf ScaiControl.Infrastructure/ScaiControl
