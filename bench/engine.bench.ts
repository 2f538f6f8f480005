// npm run bench — throughput and latency of a 3-step spec through the run engine versus a
// hand-written workflow calling the same 3 activities, in one run, on one real stack.
// Appends the figures (with date and machine) to docs/performance.md.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineDescription, startBenchStack } from './stack.ts';

const N = Number(process.env.BENCH_RUNS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const stack = await startBenchStack('maestro-bench-');

const { openStack, testSpec } = await import('../test/support/stack.ts');
const s = await openStack({ workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)) });
try {
  const spec = testSpec({
    name: 'bench-three-steps',
    extra: {
      parameters: { type: 'object', properties: { n: { type: 'integer', default: 1 } } },
      steps: [
        { id: 'one', task: 'transform@1.0.0', with: { expression: 'n + 1', data: { n: '${{ params.n }}' } } },
        { id: 'two', task: 'transform@1.0.0', with: { expression: 'n * 2', data: { n: '${{ steps.one.output.result }}' } } },
        { id: 'three', task: 'transform@1.0.0', with: { expression: "{ 'value': n }", data: { n: '${{ steps.two.output.result }}' } } },
      ],
    },
  });
  const alice = s.as('alice');
  const { body: draft } = await alice.createDraft(spec);
  await alice.requestPublish(draft.definitionId, '1.0.0');
  await alice.waitForPublish(draft.definitionId, '1.0.0', ['published']);
  const startedBy = { sub: 'alice', tenant: 'acme', roles: ['author'] };

  const variants = {
    engine: (i: number) => {
      const runId = randomUUID();
      return s.client.workflow.execute('runWorkflow', {
        taskQueue: s.config.TEMPORAL_TASK_QUEUE,
        workflowId: `run/${draft.definitionId}/${runId}`,
        args: [{ runId, definitionId: draft.definitionId, version: '1.0.0', tenantId: 'acme', params: { n: i }, startedBy }],
      });
    },
    handwritten: (i: number) => {
      const runId = randomUUID();
      return s.client.workflow.execute('handwrittenThreeSteps', {
        taskQueue: s.config.TEMPORAL_TASK_QUEUE,
        workflowId: `bench/${runId}`,
        args: [{ runId, tenantId: 'acme', n: i }],
      });
    },
  };

  async function measure(run: (i: number) => Promise<unknown>) {
    const latencies: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) {
          const i = next++;
          const t = performance.now();
          await run(i);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
    return { throughput: N / seconds, p50: pct(50), p95: pct(95) };
  }

  // warm-up, then alternate the variants so machine noise hits both alike
  await measure(variants.engine);
  await measure(variants.handwritten);
  const results: Record<string, { throughput: number; p50: number; p95: number }[]> = { engine: [], handwritten: [] };
  for (let r = 0; r < ROUNDS; r++) {
    results.engine!.push(await measure(variants.engine));
    results.handwritten!.push(await measure(variants.handwritten));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary = Object.fromEntries(
    Object.entries(results).map(([k, rs]) => [k, { throughput: median(rs.map((x) => x.throughput)), p50: median(rs.map((x) => x.p50)), p95: median(rs.map((x) => x.p95)) }]),
  ) as Record<'engine' | 'handwritten', { throughput: number; p50: number; p95: number }>;
  const ratio = summary.engine.throughput / summary.handwritten.throughput;

  const machine = machineDescription();
  const row = (name: string, v: { throughput: number; p50: number; p95: number }) =>
    `| ${name} | ${v.throughput.toFixed(1)} | ${v.p50.toFixed(1)} | ${v.p95.toFixed(1)} |`;
  const section = [
    '',
    `## Run engine vs hand-written workflow — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine}. ${N} workflows per measurement, ${CONCURRENCY} in flight, ${ROUNDS} alternating rounds after a warm-up; medians of the rounds. Each workflow runs 3 \`transform@1.0.0\` activities on one worker.`,
    '',
    '| variant | workflows/s | p50 ms | p95 ms |',
    '|---|---|---|---|',
    row('run engine (3-step spec)', summary.engine),
    row('hand-written workflow', summary.handwritten),
    '',
    `Engine throughput = **${ratio.toFixed(2)} ×** hand-written (target ≥ 0.8).`,
    '',
  ].join('\n');
  const doc = fileURLToPath(new URL('../docs/performance.md', import.meta.url));
  if (!existsSync(doc)) writeFileSync(doc, '# Performance\n\nFigures from `npm run bench` on the machine named in each section. Never asserted in tests.\n');
  appendFileSync(doc, section);
  console.log(section);
} finally {
  await s.close();
  await stack.stop();
}
