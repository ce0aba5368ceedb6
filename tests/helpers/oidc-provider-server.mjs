// A real OpenID provider for tests (the npm oidc-provider package), run as its own process by
// tests/helpers/oidc-provider.ts. Its settings come as JSON in ORCH_TEST_OIDC (issuer port, one
// client, the file that holds the accounts and their groups); it logs "listening" once it answers.
// The accounts file is read at every look-up, so a test changes a user's groups (or removes the
// user) by rewriting it. Its development login form accepts any password: the test is about our
// side of the exchange.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.ORCH_TEST_OIDC ?? '{}');
const issuer = `http://127.0.0.1:${settings.port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      redirect_uris: settings.redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  scopes: ['openid', 'offline_access', 'profile', 'groups'],
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
  // the claims of the requested scopes go into the ID token, where the client reads them
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    const account = JSON.parse(readFileSync(settings.accountsFile, 'utf8'))[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, name: id, preferred_username: id, groups: account.groups }) };
  },
});

provider.listen(settings.port, '127.0.0.1', () => console.log(`listening on ${issuer}`));
process.on('SIGTERM', () => process.exit(0));
