// npm run bench -- policy — the guardrails decision (policies/guardrails.rego, guardrails/decision)
// through the wasm the services load, per profile and operation (µs per decision), and the
// dry-run's round trip through the API over HTTP (POST /api/policy/dry-run: token check,
// validation, the input builder's Postgres reads, wasm, digest). Appends the figures (with
// date and machine) to docs/performance.md.
import { appendFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { machineDescription, startBenchStack } from './stack.ts';
import { loadPolicyEngine } from '../platform/opa.ts';
import { decideGuardrails } from '../platform/guardrails.ts';
import { POLICY_OPERATIONS, type GuardrailInput, type PolicyOperation, type StepFacts } from '../domain/policy-profiles.ts';

const N = Number(process.env.BENCH_DECISIONS ?? 5000);
const HTTP_N = Number(process.env.BENCH_DRY_RUNS ?? 300);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** A realistic input: 8 steps (approval first, two writes, one external), 2 endpoints, settings set. */
function input(operation: PolicyOperation, profile: 'local_workflow' | 'marketplace_workflow'): GuardrailInput {
  const steps: StepFacts[] = Array.from({ length: 8 }, (_, i) => ({
    id: `s${i}`,
    task: i === 0 ? 'approval@1.0.0' : i % 3 === 0 ? 'http.request@1.0.0' : 'transform@1.0.0',
    order: i,
    side_effects: i === 0 ? 'none' : i % 3 === 0 ? 'external' : i === 5 ? 'write' : 'none',
    approval: i === 0,
    egress_any: i % 3 === 0,
    data_classes: i === 3 ? ['pii'] : [],
    deprecated: false,
  }));
  const marketplace = profile === 'marketplace_workflow';
  return {
    operation,
    tenant: 'globex',
    actor: { sub: 'gus', tenant: 'globex', roles: ['tenant-admin'] },
    subject: {
      definition_id: 'acme.payroll-sync',
      template_id: 'acme.payroll-sync',
      version: '1.2.0',
      owner_tenant: operation === 'publish' || !marketplace ? 'globex' : 'acme',
      risk: 'critical',
      visibility: marketplace ? 'partner-curated' : 'internal-only',
      visible: true,
      certification: null,
      steps,
      endpoints: [
        { parameter: 'endpoint', host: 'api.partner.eu', region: 'eu-west-1', pii: true, steps: ['s3'] },
        { parameter: 'webhook', host: 'hooks.example.com', region: '', pii: false, steps: ['s6'] },
      ],
    },
    ...(operation === 'upgrade' ? { from: { version: '1.1.0', risk: 'high' as const } } : {}),
    target: { environment: 'prod', region: 'eu-west-1' },
    settings: {
      egress_allow: ['api.partner.eu', '*.example.com'],
      region: 'eu-west-1',
      max_external_risk: 'high',
      critical_runs_per_day: 20,
      business_hours: { days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start_hour: 8, end_hour: 18, timezone: 'Europe/Berlin' },
    },
    ...(operation === 'run' ? { usage: { critical_runs_today: 3 }, clock: { weekday: 'Tue', hour: 10, minute: 30, timezone: 'Europe/Berlin' } } : {}),
  };
}

const stack = await startBenchStack('maestro-bench-policy-');
const { openStack, testSpec } = await import('../test/support/stack.ts');
const progress = (m: string) => console.error(`policy bench: ${m}`);
progress('stack started');
const s = await openStack();
progress('app open');
const server = serve({ fetch: s.app.fetch, hostname: '127.0.0.1', port: 0 });
try {
  const policy = await loadPolicyEngine(s.config.POLICY_DIR);

  // ---- the dry-run through the API over HTTP ----
  if (!server.listening) await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spec = testSpec({
    risk: 'critical',
    scope: 'global',
    extra: {
      steps: [
        { id: 'gate', task: 'approval@1.0.0', with: { message: 'Go?', approvers: { roles: ['tenant-admin'] } } },
        { id: 'send', task: 'http.request@1.0.0', with: { url: 'https://api.partner.example/x', method: 'POST', body: {} } },
      ],
    },
  });
  const { body: draft } = await s.as('pat').createDraft(spec);
  progress(`draft ${draft.definitionId}`);
  const bodies: Record<string, unknown> = {
    publish: { operation: 'publish', definitionId: draft.definitionId, version: spec.metadata.version, visibility: 'partner-curated' },
    run: { operation: 'run', definitionId: draft.definitionId, version: spec.metadata.version },
  };
  const httpRows: string[] = [];
  for (const [op, body] of Object.entries(bodies)) {
    const send = async () => {
      const res = await fetch(`${base}/api/policy/dry-run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.tokens.pat}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`dry-run ${op}: ${res.status} ${await res.text()}`);
      await res.json();
    };
    for (let i = 0; i < 30; i++) await send();
    const ms: number[] = [];
    for (let i = 0; i < HTTP_N; i++) {
      const t0 = performance.now();
      await send();
      ms.push(performance.now() - t0);
    }
    progress(`dry-run ${op} measured`);
    httpRows.push(`| ${op} | ${HTTP_N} | ${pct(ms, 50).toFixed(2)} | ${pct(ms, 95).toFixed(2)} |`);
  }

  // ---- wasm: one decision at a time, per profile and operation ----
  const rows: string[] = [];
  for (const profile of ['local_workflow', 'marketplace_workflow'] as const) {
    for (const op of POLICY_OPERATIONS) {
      const inp = input(op, profile);
      const first = decideGuardrails(policy, inp);
      if (first.profile !== profile) throw new Error(`${op}: the input selects ${first.profile}, not ${profile}`);
      for (let i = 0; i < 200; i++) policy.evaluate('guardrails/decision', inp);
      const wasm: number[] = [];
      const withDigest: number[] = [];
      for (let i = 0; i < N; i++) {
        let t0 = performance.now();
        policy.evaluate('guardrails/decision', inp);
        wasm.push((performance.now() - t0) * 1000);
        t0 = performance.now();
        decideGuardrails(policy, inp);
        withDigest.push((performance.now() - t0) * 1000);
      }
      rows.push(`| ${profile} | ${op} | ${first.rules.length} | ${first.outcome} | ${pct(wasm, 50).toFixed(0)} | ${pct(wasm, 95).toFixed(0)} | ${pct(withDigest, 50).toFixed(0)} | ${pct(withDigest, 95).toFixed(0)} |`);
    }
  }

  const section = [
    '',
    `## Policy guardrails: decision through wasm and the dry-run round trip — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machineDescription()}; a 2-core machine shared with other sessions running their tests, so the figures are an upper bound. \`npm run bench -- policy\`: \`guardrails/decision\` evaluated ${N} times per row, one at a time after a warm-up of 200, on an input of 8 steps (an approval first, writes and external calls after it, a pii step), 2 endpoints and every tenant setting set; the local inputs concern the tenant's own workflow, the marketplace inputs another tenant's partner-curated one (whose profile adds the marketplace rules). "+ digest" is \`decideGuardrails\` as the activity calls it: the evaluation plus the sha-256 of the canonical input.`,
    '',
    '| profile | operation | rules | outcome | wasm p50 µs | wasm p95 µs | + digest p50 µs | + digest p95 µs |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Dry-run round trip: \`POST /api/policy/dry-run\` over HTTP on 127.0.0.1 to the API in this process (bearer token verified, body validated, the input built from Postgres as the lifecycle builds it — version, manifests, tenant settings, and for a run the day's critical runs — plus the lifecycle's own policy checks and approvals, then wasm), ${HTTP_N} requests one after the other after 30 warm-up requests, on a critical 2-step draft of acme's.`,
    '',
    '| operation | requests | p50 ms | p95 ms |',
    '|---|---|---|---|',
    ...httpRows,
    '',
  ].join('\n');
  appendFileSync(fileURLToPath(new URL('../docs/performance.md', import.meta.url)), section);
  console.log(section);
} finally {
  await new Promise((r) => server.close(r));
  await s.close();
  await stack.stop();
}
