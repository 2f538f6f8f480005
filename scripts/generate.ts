// npm run generate [-- --check] [--root <dir>]
//
// Writes the reference docs (docs/reference/**) and SDK types (sdk/**), removing files there
// it does not produce. --check writes nothing: it regenerates in memory and exits 1 listing
// every stale, missing or extra file (npm test runs it). --root (or MAESTRO_GENERATE_ROOT)
// points at another copy of the repository, e.g. a temp dir in tests.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../cli/local-registry.ts';
import { compareWithDisk, generate } from '../cli/generate/outputs.ts';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { check: { type: 'boolean' }, root: { type: 'string' } }, strict: true });
  const root = path.resolve(values.root ?? process.env.MAESTRO_GENERATE_ROOT ?? REPO_ROOT);
  const files = await generate(root);
  const drift = compareWithDisk(root, files);
  const changed = drift.stale.length + drift.missing.length + drift.extra.length;
  if (values.check) {
    if (!changed) {
      console.log(`generate --check: ${files.size} generated files are up to date`);
      return 0;
    }
    console.error(`generate --check: ${changed} generated file${changed === 1 ? ' is' : 's are'} out of date:`);
    for (const [kind, paths] of Object.entries(drift)) for (const p of paths as string[]) console.error(`  ${kind.padEnd(7)} ${p}`);
    console.error('run `npm run generate` and commit the result');
    return 1;
  }
  for (const p of [...drift.stale, ...drift.missing]) {
    mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    writeFileSync(path.join(root, p), files.get(p)!);
  }
  for (const p of drift.extra) rmSync(path.join(root, p));
  console.log(`generate: ${files.size} files, ${drift.stale.length + drift.missing.length} written, ${drift.extra.length} removed`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? `generate: ${err.message}` : err);
    process.exit(2);
  },
);
