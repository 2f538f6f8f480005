// The example partner systems for `npm start` (a supervised child): the HRIS, billing API,
// identity provider, evidence stores, device management and webhooks the example workflows
// call, with canned answers, on 127.0.0.1:PARTNER_SYSTEMS_PORT (loopback only).
// Usage: node --import tsx examples/partner-systems/main.ts
import { loadConfig } from '../../platform/config.ts';
import { startPartnerSystems } from './server.ts';

const config = loadConfig();
const systems = await startPartnerSystems({ host: '127.0.0.1', port: config.PARTNER_SYSTEMS_PORT });
console.log(`example partner systems on ${systems.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void systems.close().then(() => process.exit(0));
  });
}
