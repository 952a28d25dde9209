// A real OpenID Provider for fix401's single sign-on tests: npm's
// oidc-provider (a certified OpenID Provider implementation) with its
// interactions written the way real providers show them: "identifier
// first" (the user name on one page, the password on the next, as Entra ID,
// Google and Okta do), a refused password answered on the same page, and a
// second factor for the users that have one.
//
// Usage: node oidc-idp.mjs CONFIG.json
//   {"issuer": "http://idp.example:PORT", "port": PORT,
//    "clients": [{client_id, client_secret, redirect_uris, response_types,
//                 grant_types, token_endpoint_auth_method}],
//    "users": {"alice": {"password": "…", "mfa": false}},
//    "idTokenTTL": 3600, "tls": {"key": "leaf.key", "cert": "leaf.pem"}}
// It serves https only: mod_auth_openidc refuses a provider over http.
// It prints "listening" once it accepts connections.
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';

import Provider from 'oidc-provider';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const provider = new Provider(cfg.issuer, {
  clients: cfg.clients,
  async findAccount(ctx, id) {
    // groups: as many group names as the user's "groups" says, the way a
    // directory puts a user's groups in the id_token (and makes it big).
    const n = cfg.users[id]?.groups || 0;
    const groups = Array.from({ length: n }, (_, i) => `app-users-department-${String(i).padStart(4, '0')}`);
    return { accountId: id, async claims() { return n ? { sub: id, name: id, groups } : { sub: id, name: id }; } };
  },
  claims: { openid: ['sub'], profile: ['name', 'groups'] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['fix401-test-cookie-key'] },
  pkce: { required: () => false },
  ttl: { IdToken: cfg.idTokenTTL || 3600, AccessToken: cfg.idTokenTTL || 3600 },
  // Consent is granted by the organisation: no consent page.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    await grant.save();
    return grant;
  },
});
// The provider's own log of what it refused, for the test's failure output.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

// issuedFile, when set, gets every one-time value the provider hands the
// browser (codes, tokens, state, nonce, its cookies' values): the secrets
// test greps fix401's outputs for each of them.
const note = (v) => { if (cfg.issuedFile && v) appendFileSync(cfg.issuedFile, `${v}\n`); };
provider.on('authorization.success', (ctx, out) => {
  for (const v of Object.values(out || {})) note(String(v));
  note(ctx.oidc.params?.nonce);
  note(ctx.oidc.params?.state);
});

// uid → the user name entered on the first page.
const entered = new Map();

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>${esc(title)}</title>
<style>body{font-family:sans-serif;background:#f2f2f2}main{width:22em;margin:4em auto;background:#fff;padding:2em;box-shadow:0 2px 6px #0003}
input{display:block;width:100%;margin:.5em 0 1em;padding:.5em;box-sizing:border-box}.error{color:#a00}</style></head>
<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

async function body(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

function identifierPage(uid, error) {
  return page('Sign in', `${error ? `<p class="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/identifier" autocomplete="off">
<label>Email, phone or user name<input type="text" name="login" autofocus></label>
<button type="submit">Next</button></form>`);
}

function passwordPage(uid, login, error) {
  return page('Enter password', `<p>${esc(login)}</p>${error ? `<p class="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/password" autocomplete="off">
<label>Password<input type="password" name="password" autofocus></label>
<button type="submit">Sign in</button></form>`);
}

function mfaPage(uid) {
  return page('Verify your identity', `<p>Enter the code from your authenticator app.</p>
<form method="post" action="/interaction/${uid}/mfa" autocomplete="off">
<label>Code<input type="text" name="otp" inputmode="numeric" autocomplete="one-time-code" autofocus></label>
<button type="submit">Verify</button></form>`);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, page('Sign in', '<p class="error">This sign-in link has expired. Go back to the application and try again.</p>'));
    return;
  }
  if (req.method === 'GET') {
    const login = entered.get(uid);
    send(res, 200, login ? passwordPage(uid, login) : identifierPage(uid));
    return;
  }
  const form = await body(req);
  switch (action) {
    case 'identifier': {
      const login = (form.get('login') || '').trim();
      if (!cfg.users[login]) {
        send(res, 200, identifierPage(uid, "We couldn't find an account with that user name."));
        return;
      }
      entered.set(uid, login);
      res.writeHead(303, { Location: `/interaction/${uid}` });
      res.end();
      return;
    }
    case 'password': {
      const login = entered.get(uid);
      const user = cfg.users[login];
      if (!user || form.get('password') !== user.password) {
        send(res, 200, passwordPage(uid, login || '', 'Your account or password is incorrect.'));
        return;
      }
      if (user.mfa) {
        send(res, 200, mfaPage(uid));
        return;
      }
      entered.delete(uid);
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      return;
    }
    default:
      send(res, 404, page('Not found', ''));
  }
}

const callback = provider.callback();
const tls = { key: readFileSync(cfg.tls.key), cert: readFileSync(cfg.tls.cert) };
const server = createServer(tls, (req, res) => {
  if (cfg.issuedFile) {
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name, value) => {
      if (String(name).toLowerCase() === 'set-cookie') {
        for (const c of [].concat(value)) note(String(c).split(';')[0].split('=').slice(1).join('='));
      }
      return setHeader(name, value);
    };
  }
  const m = /^\/interaction\/([^/?]+)(?:\/([a-z]+))?/.exec(req.url);
  if (m) {
    interaction(req, res, m[1], m[2]).catch((err) => {
      // An interaction whose cookie is gone (cleared, blocked) or expired.
      send(res, 400, page('Sign in', `<p class="error">${esc(err.error || 'error')}: ${esc(err.error_description || err.message)}</p>`));
    });
    return;
  }
  callback(req, res);
});
server.listen(cfg.port, '127.0.0.1', () => console.log('listening'));
