// A real OpenID Connect provider for the tests (oidc-provider 9), standing in for ScaiKey, plus a small fake of
// ScaiKey's /auth/me. Started by the tests as a child process: `node oidc-provider.mjs CONFIG.json`; it listens on
// 127.0.0.1 and a free port and prints one line `{"issuer":"http://127.0.0.1:PORT"}` when ready.
//
// CONFIG.json: { "clients": [...oidc-provider client metadata, service clients may carry partner_id, tenant_id,
//   roles...], "accountsFile": "accounts.json", "audience": "urn:scaicontrol", "accessTokenTtl": 60,
//   "apiScopes": "catalog:read ..." }
// accounts.json (read again on every use, so a test can change a user while the provider runs):
//   { "alice": { "email", "name", "partner_id", "tenant_id", "roles": [...], "token_roles": [...] } }
//   token_roles, when present, is what tokens and userinfo carry (a stale or partial token); /auth/me always answers
//   the canonical "roles" and their "scopes".
//
// Test-only endpoints (loopback only, never in a product):
//   POST /__test/rotate?alg=RS256|PS256|ES256[&retire=1]  a new signing key, first in the JWKS; old ones stay
//        published unless retire=1. Answers {"kid": ...}.
//   GET  /__test/stats   {"jwks": n, "discovery": n, "refresh": n, "me": n, "end_session": n, "last_par": {...}}
//   POST /__test/me-down?down=1|0  makes /auth/me answer 503 (ScaiKey unavailable) or recover.
//   POST /__test/sign {payload}  signs any payload with the current signing key (kid and alg in the header), so the
//        tests can make expired, not-yet-valid, foreign-issuer or foreign-audience tokens the app can verify.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, constants } from 'node:crypto';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = () => JSON.parse(readFileSync(config.accountsFile, 'utf8'));
const stats = { jwks: 0, discovery: 0, refresh: 0, me: 0, end_session: 0, last_par: null };
let meDown = false;

function newKey(alg) {
  const kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
  const { privateKey } = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

let keys = [newKey('RS256')];
let provider;
let handler;
const server = createServer((req, res) => handle(req, res));

function claimsOf(id, account) {
  return {
    sub: id,
    email: account.email,
    email_verified: true,
    name: account.name,
    partner_id: account.partner_id,
    tenant_id: account.tenant_id ?? undefined,
    roles: account.token_roles ?? account.roles,
  };
}

function build(issuer) {
  const p = new Provider(issuer, {
    clients: config.clients,
    extraClientMetadata: { properties: ['partner_id', 'tenant_id', 'roles'] },
    jwks: { keys },
    cookies: { keys: ['scaicontrol-test-provider-cookie-key'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      scaikey: ['partner_id', 'tenant_id', 'roles'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'scaikey'],
    pkce: { required: () => true },
    ttl: {
      AccessToken: config.accessTokenTtl ?? 60,
      ClientCredentials: config.accessTokenTtl ?? 60,
      IdToken: 3600,
      RefreshToken: 86400,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 86400,
      Grant: 86400,
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx, client, oneOf) => oneOf ?? undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: (ctx, resourceIndicator) => {
          if (resourceIndicator !== config.audience) throw new Provider.errors.InvalidTarget();
          return {
            scope: config.apiScopes ?? '',
            audience: config.audience,
            accessTokenTTL: config.accessTokenTtl ?? 60,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: keys[0].alg } },
          };
        },
      },
    },
    // Service clients' tokens carry the client's partner, tenant and roles (ScaiKey's service accounts).
    extraTokenClaims: (ctx, token) => {
      if (token.kind !== 'ClientCredentials') return undefined;
      const client = ctx.oidc.client;
      return { partner_id: client.partner_id, tenant_id: client.tenant_id, roles: client.roles };
    },
    // A refresh token for every code grant of a client allowed to use one (no consent screen for offline_access).
    issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
    // First-party client: grant what it asks for without a consent page.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
    findAccount: (ctx, id) => {
      const account = accounts()[id];
      if (!account) return undefined;
      return { accountId: id, claims: () => claimsOf(id, account) };
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>Error</title><h1>${out.error}</h1><p>${out.error_description ?? ''}</p>`;
    },
  });
  p.on('grant.success', (ctx) => { if (ctx.oidc.params?.grant_type === 'refresh_token') stats.refresh++; });
  p.on('end_session.success', () => { stats.end_session++; });
  // What the client pushed in its last pushed authorization request (RFC 9126), for the tests to inspect.
  p.on('pushed_authorization_request.success', (ctx) => { stats.last_par = { ...ctx.oidc.params }; });
  return p;
}

async function authMe(req, res) {
  stats.me++;
  const auth = req.headers.authorization ?? '';
  const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  if (meDown) return json(res, 503, { error: 'unavailable' });
  const found = token ? await provider.AccessToken.find(token) : undefined;
  if (!found || found.isExpired) return json(res, 401, { error: 'invalid_token' });
  const account = accounts()[found.accountId];
  if (!account) return json(res, 401, { error: 'invalid_token' });
  return json(res, 200, {
    sub: found.accountId,
    email: account.email,
    name: account.name,
    partner_id: account.partner_id,
    tenant_id: account.tenant_id ?? null,
    roles: account.roles,
    scopes: account.scopes ?? [],
    groups: account.groups ?? [],
  });
}

function signWithCurrentKey(payload) {
  const key = keys[0];
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: key.alg, typ: 'at+jwt', kid: key.kid })}.${b64(payload)}`;
  const privateKey = createPrivateKey({ key, format: 'jwk' });
  const options = key.alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' }
    : key.alg === 'PS256' ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : { key: privateKey };
  return `${input}.${sign('sha256', Buffer.from(input), options).toString('base64url')}`;
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  try {
    if (url.pathname === '/__test/rotate' && req.method === 'POST') {
      const key = newKey(url.searchParams.get('alg') ?? 'RS256');
      keys = url.searchParams.get('retire') === '1' ? [key] : [key, ...keys];
      provider = build(provider.issuer);
      handler = provider.callback();
      return json(res, 200, { kid: key.kid, published: keys.map((k) => k.kid) });
    }
    if (url.pathname === '/__test/stats') return json(res, 200, stats);
    if (url.pathname === '/__test/sign' && req.method === 'POST') {
      const { payload } = await readJson(req);
      return json(res, 200, { token: signWithCurrentKey(payload), kid: keys[0].kid });
    }
    if (url.pathname === '/__test/me-down' && req.method === 'POST') {
      meDown = url.searchParams.get('down') === '1';
      return json(res, 200, { down: meDown });
    }
    if (url.pathname === '/auth/me') return await authMe(req, res);
    if (url.pathname === '/jwks') stats.jwks++;
    if (url.pathname === '/.well-known/openid-configuration') stats.discovery++;
    return handler(req, res);
  } catch (e) {
    return json(res, 500, { error: String(e) });
  }
}

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = build(issuer);
  handler = provider.callback();
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
