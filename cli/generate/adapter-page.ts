import { taskRef, type TaskManifest } from '../../domain/manifest.ts';
import { BANNER } from './banner.ts';
import { exampleYaml } from './examples.ts';
import { code, fieldTable, keyValueTable, list, table, text } from './markdown.ts';
import { isSchema, type Schema } from './schema-walk.ts';

const RUNTIMES: Record<TaskManifest['spec']['runtime'], string> = {
  activity: 'an activity on the task queue below',
  approval: 'run by the engine itself: waits for approval decisions',
  timer: 'run by the engine itself: a durable timer',
};

export const adapterDocPath = (m: TaskManifest) => `adapters/${taskRef(m)}.md`;

export function adapterPage(file: string, m: TaskManifest, typeStem: string): string {
  const s = m.spec;
  const input = s.input as Schema;
  const output = s.output as Schema;
  const sdkFile = `sdk/adapters/${m.metadata.name}.ts`;
  const parts: string[] = [
    `<!-- ${BANNER}. Source: ${file} -->`,
    `# ${text(m.metadata.title ?? m.metadata.name)} — ${code(taskRef(m))}`,
    text(m.metadata.description),
    keyValueTable([
      ['Task reference', code(taskRef(m))],
      ['Publisher', m.metadata.publisher && text(m.metadata.publisher)],
      ['Runtime', `${code(s.runtime)} — ${RUNTIMES[s.runtime]}`],
      ['Task queue', s.runtime !== 'activity' ? '— (no worker involved)' : s.taskQueue ? code(s.taskQueue) : 'the core worker’s queue (not set in the manifest)'],
      ['Capabilities', list(s.capabilities)],
      ['TypeScript', `${code(`${typeStem}Input`)}, ${code(`${typeStem}Output`)} in [${sdkFile}](../../../${sdkFile})`],
      ['Source', `[${file}](../../../${file})`],
    ]),
    '## Inputs',
    fieldTable(input, input) || 'This task takes no inputs.',
  ];
  if (input.additionalProperties === false) parts.push('Inputs not listed here are rejected when a spec is validated (`UNKNOWN_INPUT`).');
  parts.push(
    '## Outputs',
    'A later step reads them as `${{ steps.<step id>.output.<field> }}`; only the fields listed here can be referenced (`UNDEFINED_STEP_OUTPUT`).',
    fieldTable(output, output) || 'This task declares no output fields.',
    '## Secrets',
  );
  const secrets = s.secrets ?? [];
  parts.push(
    secrets.length
      ? [
          table(
            ['Secret', 'Input', 'Required', 'Description'],
            secrets.map((x) => [code(x.name), x.input ? code(x.input) : '—', x.required ? 'yes' : 'no', x.description ? text(x.description) : '—']),
          ),
          'Bind a secret input to a secret the workflow declares: `${{ secrets.<name> }}`. The run passes a reference (`secret://<tenant>/<name>`), never the value; a literal value in a secret input is rejected (`SECRET_LITERAL`).',
        ].join('\n\n')
      : 'This task uses no secrets.',
  );
  const egress = s.security.egress.allow;
  parts.push(
    '## Security posture',
    keyValueTable([
      ['Egress', egress.length ? `${list(egress)}${egress.includes('*') ? ' — any host the tenant’s egress policy allows' : ''}` : 'none — no network access'],
      ['Data classes', list(s.security.dataClasses)],
      ['Side effects', code(s.security.sideEffects)],
      [
        'Idempotent',
        !s.security.idempotent
          ? 'no — a retry may repeat the side effect'
          : s.security.sideEffects === 'none'
            ? 'yes — it has no side effects to repeat'
            : 'yes — sends an idempotency key (workflow id + step) so a retry applies nothing twice',
      ],
    ]),
    '## Retry and timeout',
  );
  const r = s.retry;
  const retryRows: [string, string | undefined][] = [
    ['Maximum attempts', r?.maximumAttempts?.toString()],
    ['Initial interval', r?.initialInterval],
    ['Backoff coefficient', r?.backoffCoefficient?.toString()],
    ['Maximum interval', r?.maximumInterval],
    ['Non-retryable error types', r?.nonRetryableErrorTypes?.length ? list(r.nonRetryableErrorTypes) : undefined],
    ['Timeout', s.timeout],
  ];
  if (s.runtime !== 'activity') parts.push('The engine runs this task itself, not as an activity: activity retry policies and step timeouts do not apply.');
  else {
    parts.push(
      retryRows.some(([, v]) => v !== undefined) ? keyValueTable(retryRows) : 'The manifest sets no retry policy or timeout: the run engine’s defaults apply.',
      'A step may override them with `retry` (maximumAttempts, initialInterval, backoffCoefficient, maximumInterval) and `timeout`.',
    );
  }
  if (isSchema(s.config)) parts.push('## Tenant configuration', fieldTable(s.config, s.config) || 'Declared, without fields.');
  parts.push('## Example', '```yaml\n' + exampleYaml(m) + '\n```');
  return parts.join('\n\n') + '\n';
}
