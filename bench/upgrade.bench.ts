// npm run bench -- upgrade — an upgrade campaign over a fleet of instances (default 1,000):
// instances upgraded per second and the campaign's total time, on one real stack.
// Seeds the instances straight into Postgres (one live instance per tenant, template and
// environment, so ~N/3 tenants), publishes a non-breaking version through the API, and
// times the campaign the publish starts. Appends the figures (with date and machine) to
// docs/performance.md.
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineDescription, startBenchStack } from './stack.ts';
import { campaignWorkflowId, type CampaignProgress } from '../domain/upgrade.ts';
import { campaignTotals } from '../domain/campaign.ts';

const N = Number(process.env.BENCH_INSTANCES ?? 1000);
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

const stack = await startBenchStack('maestro-bench-upgrade-');

const { openStack, testSpec } = await import('../test/support/stack.ts');
const { publishTemplate } = await import('../test/marketplace/support.ts');
const s = await openStack();
try {
  const version = (v: string, properties: Record<string, unknown>) => {
    const spec = testSpec({
      scope: 'global',
      name: 'bench-fleet',
      version: v,
      extra: {
        parameters: { type: 'object', properties },
        steps: [{ id: 'greet', task: 'transform@1.0.0', with: { expression: "greeting & '!'", data: { greeting: '${{ params.greeting }}' } } }],
      },
    });
    (spec.metadata as Record<string, unknown>).changelog = `Release ${v}.`;
    return spec;
  };
  const v1 = { greeting: { type: 'string', default: 'hello' } };
  const template = await publishTemplate(s, version('1.0.0', v1));

  // the fleet: N instances on 1.0.0 with policy `minor`, three per tenant (one per environment)
  const t0 = performance.now();
  const [v] = await s.sql<{ digest: string }[]>`select digest from workflow_version where definition_id = ${template} and version = '1.0.0'`;
  const tenants = Array.from({ length: Math.ceil(N / ENVIRONMENTS.length) }, (_, i) => `fleet-${String(i).padStart(4, '0')}`);
  await s.sql`insert into tenant (id, name) select t, t from unnest(${tenants}::text[]) as t on conflict do nothing`;
  await s.sql`insert into tenant_setting (tenant_id, egress_allow) select t, '{}'::text[] from unnest(${tenants}::text[]) as t on conflict do nothing`;
  const ids: string[] = [];
  const owners: string[] = [];
  const envs: string[] = [];
  for (let i = 0; i < N; i++) {
    const tenant = tenants[Math.floor(i / ENVIRONMENTS.length)]!;
    const env = ENVIRONMENTS[i % ENVIRONMENTS.length]!;
    ids.push(`${tenant}.bench-fleet.${env}-${i.toString(16).padStart(6, '0')}`);
    owners.push(tenant);
    envs.push(env);
  }
  await s.sql`
    insert into workflow_instance (id, tenant_id, template_id, definition_id, version, digest, environment, parameters, upgrade_policy,
                                   status, installed_by, install_workflow_id, install_run_id)
    select x.id, x.tenant, ${template}, ${template}, '1.0.0', ${v!.digest}, x.env, ${s.sql.json({ greeting: 'hi' })}, 'minor',
           'active', 'bench', 'install/' || x.id, 'bench'
    from unnest(${ids}::text[], ${owners}::text[], ${envs}::text[]) as x(id, tenant, env)`;
  const seedSeconds = (performance.now() - t0) / 1000;

  // a non-breaking 1.1.0 (a new optional parameter, no smoke run, no watch window): its publish starts the campaign
  await publishTemplate(s, version('1.1.0', { ...v1, punctuation: { type: 'string', default: '!' } }));
  const campaignId = campaignWorkflowId(template, '1.1.0');
  const progress = (await s.client.workflow.getHandle(campaignId).result()) as CampaignProgress;
  const [row] = await s.sql<{ started_at: Date; ended_at: Date }[]>`select started_at, ended_at from upgrade_campaign where workflow_id = ${campaignId}`;
  const seconds = (row!.ended_at.getTime() - row!.started_at.getTime()) / 1000;
  const totals = campaignTotals(progress);
  const [moved] = await s.sql<{ n: number }[]>`select count(*)::int as n from workflow_instance where template_id = ${template} and version = '1.1.0'`;
  const description = await s.client.workflow.getHandle(campaignId).describe();

  const machine = machineDescription();
  const section = [
    '',
    `## Upgrade campaign over ${N} instances — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine}. \`npm run bench -- upgrade\`: ${N} active instances of one template (policy \`minor\`, ${tenants.length} tenants, seeded into Postgres in ${seedSeconds.toFixed(1)} s), then a non-breaking 1.1.0 (one new optional parameter, no smoke run, no watch window) published through the API; its publish starts the campaign with the defaults (waves 10 % then the rest, 20 upgrades at once, one worker). Time = the campaign's read model, from its start to its end.`,
    '',
    '| eligible | upgraded | failed / rolled back | campaign time s | instances upgraded/s | waves | campaign |',
    '|---|---|---|---|---|---|---|',
    `| ${progress.eligible} | ${totals.upgraded} (${moved!.n} on 1.1.0) | ${totals.failed} / ${totals.rolledBack} | ${seconds.toFixed(1)} | ${(totals.upgraded / seconds).toFixed(1)} | ${progress.waves.map((w) => w.instances).join(' + ')} | ${progress.status}; last run's history ${description.historyLength} events |`,
    '',
  ].join('\n');
  appendFileSync(fileURLToPath(new URL('../docs/performance.md', import.meta.url)), section);
  console.log(section);
} finally {
  await s.close();
  await stack.stop();
}
