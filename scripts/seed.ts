// Seeds the example pack through the API, as its authors, reviewers and tenant admins would
// (platform/seed.ts seedExamplePack): the example partner adapter, each demo tenant's
// secrets (demo values generated here, only where missing), then draft → Request Publish →
// (approve with rationale) → published for each entry, then the marketplace (curated lists,
// one instance per demo tenant). Idempotent.
// With --partner-systems (npm start), the demo tenants may call the example partner systems
// at that URL (their egress settings: an operator's change, made here in the database) and
// the seeded instances are bound to them.
// Usage: node --import tsx scripts/seed.ts [baseUrl] [--partner-systems <url>]
import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.ts';
import { createSql } from '../platform/db.ts';
import { demoUserToken } from '../platform/oidc/demo-tokens.ts';
import { apiClient } from '../platform/api-client.ts';
import { requireRuntimeSecrets } from '../platform/runtime-secrets.ts';
import { allowPartnerSystems, loadExamplePack, seedExamplePack } from '../platform/seed.ts';

const config = loadConfig();
const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'partner-systems': { type: 'string' } } });
const baseUrl = positionals[0] ?? `http://127.0.0.1:${config.PORT}`;
const partnerSystems = values['partner-systems'];

if (partnerSystems) {
  const sql = createSql(requireRuntimeSecrets(config).databaseUrl, { max: 1 });
  try {
    await allowPartnerSystems(sql, partnerSystems);
  } finally {
    await sql.end({ timeout: 5 });
  }
  console.log(`[seed] demo tenants may call the example partner systems at ${partnerSystems}`);
}

// signed in at the embedded OpenID provider, as each of them would
const clients = new Map<string, ReturnType<typeof apiClient>>();
const clientFor = async (sub: string) => {
  let api = clients.get(sub);
  if (!api) clients.set(sub, (api = apiClient(baseUrl, await demoUserToken(config, sub))));
  return api;
};

await seedExamplePack(await loadExamplePack(), clientFor, (line) => console.log(line), partnerSystems ? { partnerSystems } : {});
