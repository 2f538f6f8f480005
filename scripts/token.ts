// Prints an access token for one of the demo users, issued by the embedded OpenID provider
// of a running `npm start` after a real sign-in (authorization code + PKCE, with the demo
// password from DATA_DIR/keys/dev-secrets.json). Valid for one hour.
//   npm run token -- alice        TOKEN=$(npm run -s token -- bob)
import { loadConfig } from '../platform/config.ts';
import { demoUserToken } from '../platform/oidc/demo-tokens.ts';
import { DEMO_USERS } from '../domain/demo-users.ts';

const user = process.argv[2];
const actor = DEMO_USERS.find((u) => u.sub === user);
if (!actor) {
  console.error(`usage: npm run token -- <user>\n  users: ${DEMO_USERS.map((u) => `${u.sub} (${u.tenant}: ${u.roles.join(', ')})`).join('; ')}`);
  process.exit(2);
}
try {
  console.log(await demoUserToken(loadConfig(), actor.sub));
} catch (e) {
  console.error(`npm run token: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
