// Dev only: prints a bearer token for one of the seeded demo users.
//   npm run token -- alice        TOKEN=$(npm run -s token -- bob)
import { loadConfig } from '../platform/config.ts';
import { requireRuntimeSecrets } from '../platform/runtime-secrets.ts';
import { signToken } from '../platform/auth.ts';
import { DEMO_USERS } from '../domain/demo-users.ts';

const user = process.argv[2];
const actor = DEMO_USERS.find((u) => u.sub === user);
if (!actor) {
  console.error(`usage: npm run token -- <user>\n  users: ${DEMO_USERS.map((u) => `${u.sub} (${u.tenant}: ${u.roles.join(', ')})`).join('; ')}`);
  process.exit(2);
}
const { jwtSecret } = requireRuntimeSecrets(loadConfig());
console.log(await signToken(jwtSecret, actor));
