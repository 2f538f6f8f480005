// Seeds the example pack through the API, as its authors, reviewers, curator and tenant
// admins would (platform/example-pack.ts seedExamplePack): the example partner adapter,
// each demo tenant's secrets (demo values generated here, only where missing), every entry
// published with its marketplace profile, the curated lists, one install per demo tenant.
// Idempotent. Usage: node --import tsx scripts/seed.ts [baseUrl]
import { loadConfig } from '../platform/config.ts';
import { demoUserToken } from '../platform/oidc/demo-tokens.ts';
import { apiClient } from '../platform/api-client.ts';
import { loadExamplePack, seedExamplePack } from '../platform/example-pack.ts';

const config = loadConfig();
const baseUrl = process.argv[2] ?? `http://127.0.0.1:${config.PORT}`;

// signed in at the embedded OpenID provider, as each of them would
const clients = new Map<string, ReturnType<typeof apiClient>>();
const clientFor = async (sub: string) => {
  let api = clients.get(sub);
  if (!api) clients.set(sub, (api = apiClient(baseUrl, await demoUserToken(config, sub))));
  return api;
};

await seedExamplePack(await loadExamplePack(), clientFor, (line) => console.log(line));
