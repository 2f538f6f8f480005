// npm run policy:simulate [-- --scenarios <dir>] [--report <file>]
//
// Decides every scenario of policies/scenarios/*.yaml with the compiled wasm (as the services
// do) and with `opa eval`, compares both with the scenario's expectation, checks that every
// rule of the policy METADATA fires in one scenario and passes in another, prints the report
// and writes it as Markdown (default .build/policy-simulation.md). Exit 1 on any mismatch or
// coverage below 100 %, 2 when the scenarios cannot be read.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../cli/local-registry.ts';
import { simulate, textReport } from '../cli/policy/simulate.ts';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { scenarios: { type: 'string' }, report: { type: 'string' } }, strict: true });
  const root = path.resolve(REPO_ROOT);
  const report = await simulate({ root, ...(values.scenarios ? { scenarioDir: path.resolve(values.scenarios) } : {}) });
  const file = path.resolve(values.report ?? path.join(root, '.build/policy-simulation.md'));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, report.markdown);
  console.log(textReport(report));
  console.log(`report: ${path.relative(process.cwd(), file) || file}`);
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`policy:simulate: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
