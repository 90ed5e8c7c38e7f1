#!/usr/bin/env bash
# Adds an EF Core migration NAME for BOTH providers (SQLite and PostgreSQL), each in its own folder.
# Usage: scripts/add-migration.sh NAME
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/add-migration.sh NAME}
dotnet tool restore >/dev/null
common=(--project ScaiControl.Infrastructure --startup-project ScaiControl.Infrastructure)
dotnet ef migrations add "$name" "${common[@]}" --context SqliteScaiDbContext --output-dir Persistence/Migrations/Sqlite --namespace ScaiControl.Infrastructure.Persistence.Migrations.Sqlite
dotnet ef migrations add "$name" "${common[@]}" --context PostgresScaiDbContext --output-dir Persistence/Migrations/Postgres --namespace ScaiControl.Infrastructure.Persistence.Migrations.Postgres
# `--namespace` makes dotnet-ef write the model snapshot under a namespace-shaped folder; keep it beside its migrations.
for p in Sqlite Postgres; do
  if compgen -G "ScaiControl.Infrastructure/ScaiControl/Infrastructure/Persistence/Migrations/$p/*Snapshot.cs" >/dev/null; then
    mv ScaiControl.Infrastructure/ScaiControl/Infrastructure/Persistence/Migrations/$p/*Snapshot.cs ScaiControl.Infrastructure/Persistence/Migrations/$p/
  fi
done
rm -rf ScaiControl.Infrastructure/ScaiControl
