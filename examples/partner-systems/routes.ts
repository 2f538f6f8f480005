/**
 * The partner systems the example workflows call — HRIS, billing, identity provider,
 * configuration and evidence stores, device management, chat and GRC webhooks — as canned
 * answers keyed by "METHOD /path" (path without the query). `npm start` serves them on
 * 127.0.0.1:PARTNER_SYSTEMS_PORT (server.ts) so that the seeded instances run out of the
 * box; test/engine/examples-e2e.test.ts serves the same answers from a recording fixture.
 * Answers depend on the request where a workflow has two branches to show.
 */
export interface PartnerRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** the body parsed as JSON (undefined when empty or not JSON) */
  json: unknown;
}

export interface PartnerReply {
  status?: number;
  body?: unknown;
}

export type PartnerRoute = (req: PartnerRequest) => PartnerReply;

const field = (json: unknown, name: string): unknown => (json && typeof json === 'object' ? (json as Record<string, unknown>)[name] : undefined);
const text = (json: unknown, name: string) => String(field(json, name) ?? '');

export const partnerSystemRoutes: Record<string, PartnerRoute> = {
  // HRIS (hr-onboarding)
  'POST /accounts': (r) => ({ status: 201, body: { id: `acct-${text(r.json, 'email').split('@')[0]}` } }),
  'POST /equipment': (r) => ({ status: 201, body: { orderId: `ord-${text(r.json, 'employeeId')}` } }),
  // billing (finops-cost-report): 1200 + 300 + 500 = 2000
  'GET /spend': () => ({
    body: {
      items: [
        { team: 'platform', cost: 1200 },
        { team: 'data', cost: 300 },
        { team: 'web', cost: 500 },
      ],
    },
  }),
  // identity provider (security-access-review): a system named "clean" has no stale grants
  // (the systems come as a comma-separated query: the export only reads)
  'GET /grants': (r) => {
    const systems = (r.query.systems ?? '').split(',');
    return systems.includes('clean')
      ? { body: { grants: [{ id: 'g-clean-1', stale: false }] } }
      : {
          body: {
            grants: [
              { id: 'g-1', stale: false },
              { id: 'g-2', stale: true },
              { id: 'g-3', stale: false },
              { id: 'g-4', stale: true },
            ],
          },
        };
  },
  'POST /revocations': (r) => {
    const grants = field(r.json, 'grants');
    return { body: { revoked: Array.isArray(grants) ? grants.length : 0 } };
  },
  // configuration and evidence store (compliance-evidence)
  'GET /snapshots': (r) => ({ body: { period: r.query.period, items: [{ id: 'cfg-1' }, { id: 'cfg-2' }, { id: 'cfg-3' }] } }),
  'GET /attestations': (r) => ({ body: { period: r.query.period, items: [{ id: 'att-1' }, { id: 'att-2' }] } }),
  'POST /bundles': () => ({ status: 201, body: { bundleId: 'bundle-1' } }),
  // device management (laptop-provisioning)
  'POST /orders': (r) => ({ status: 201, body: { id: `order-${text(r.json, 'assignee').split('@')[0]}` } }),
  'POST /enrolments': (r) => ({ status: 201, body: { enrolled: text(r.json, 'orderId') } }),
  // chat / GRC webhooks
  'POST /hooks/people-ops': () => ({ body: { ok: true } }),
  'POST /hooks/finops': () => ({ body: { ok: true } }),
  'POST /hooks/evidence': () => ({ body: { ok: true } }),
  'POST /hooks/security': () => ({ body: { ok: true } }),
};
