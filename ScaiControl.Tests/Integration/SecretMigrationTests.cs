using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Secrets;

namespace ScaiControl.Tests.Integration;

/// <summary>The app on its own SQLite database: these tests migrate the schema down and up again.</summary>
public sealed class SqliteMigrationApp : SqliteApp;

public sealed class SqliteSecretMigrationTests(SqliteMigrationApp app) : SecretMigrationTests<SqliteMigrationApp>(app);

// No PostgreSQL variant since the local store encrypts: the protected form is longer than the old Secret column's
// varchar(200), so PostgreSQL (and MariaDB) refuse the rollback below Webhooks (docs/secrets.md).

/// <summary>
/// The migration that moved webhook signing secrets from the subscriber row into the secret store keeps every secret
/// both ways: down (back into the row) and up again (back into the store, at the path the row names).
/// </summary>
public abstract class SecretMigrationTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    [Fact]
    public async Task MigratingDownAndUpAgain_KeepsEverySubscribersSigningSecret()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var created = await ops.PostJson("/api/v1/admin/webhook-subscriptions", new { url = "https://hooks.example.com/scai", topics = new[] { "subscription.*" } }, HttpStatusCode.Created);
        var (id, secret) = (created.Str("id"), created.Str("secret"));
        var factory = app.Services.GetRequiredService<ScaiDbFactory>();

        await using (var db = factory.ForPlatform("test"))
        {
            var path0 = await db.WebhookSubscriptions.IgnoreQueryFilters().Where(s => s.Id == id).Select(s => s.SecretPath).SingleAsync();
            var stored = await db.LocalSecrets.Where(s => s.Path == path0).Select(s => s.Value).SingleAsync();
            await db.GetInfrastructure().GetRequiredService<IMigrator>().MigrateAsync("Webhooks");
            var inRow = await db.Database.SqlQueryRaw<string>("""SELECT "Secret" AS "Value" FROM webhook_subscriptions WHERE "Id" = {0}""", id).SingleAsync();
            // The row gets the store's form back (encrypted at rest since the local store encrypts; docs/secrets.md).
            Assert.Equal(stored, inRow);

            await db.Database.MigrateAsync();
        }

        await using (var db = factory.ForPlatform("test"))
        {
            var path = await db.WebhookSubscriptions.IgnoreQueryFilters().Where(s => s.Id == id).Select(s => s.SecretPath).SingleAsync();
            Assert.Equal(secret, await app.Services.GetRequiredService<ISecretStore>().ReadAsync(path));
        }
    }
}
