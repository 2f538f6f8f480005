import { taskRef } from '../../domain/manifest.ts';
import type { ManifestFile } from '../local-registry.ts';
import { adapterDocPath } from './adapter-page.ts';
import { BANNER } from './banner.ts';
import type { SpecFile } from './inputs.ts';
import { code, firstSentence, table, text } from './markdown.ts';

export function indexPage(manifests: ManifestFile[], specs: SpecFile[]): string {
  const parts = [
    `<!-- ${BANNER} -->`,
    '# Reference',
    'Generated from the adapter manifests, the example workflows and the document schemas by `npm run generate`; `npm test` fails when these pages or `sdk/` are stale. How to write specs and adapters: [the authoring guide](../guide/authoring.md).',
    '## Adapters',
    table(
      ['Task', 'Title', 'Runtime', 'Side effects', 'Description'],
      manifests.map(({ manifest: m }) => [`[${code(taskRef(m))}](${adapterDocPath(m)})`, m.metadata.title ? text(m.metadata.title) : '—', m.spec.runtime, m.spec.security.sideEffects, text(firstSentence(m.metadata.description))]),
    ) || 'No adapter manifests.',
    '## Example workflows',
    table(
      ['Workflow', 'Version', 'Category', 'Risk', 'Scope', 'Description'],
      specs.map(({ spec: { metadata: md } }) => [`[${code(md.name)}](workflows/${md.name}.md)`, md.version, md.category, md.risk, md.scope, text(firstSentence(md.description))]),
    ) || 'No example workflows.',
    '## Policy rules',
    'The guardrail rules of the `local_workflow` and `marketplace_workflow` profiles, one page per rule from its METADATA, with the simulation scenarios that exercise it: [policies/](policies/README.md).',
    '## TypeScript types',
    [
      'Generated with json-schema-to-typescript into [`sdk/`](../../sdk/index.ts), all re-exported by `sdk/index.ts`:',
      '',
      '- `WorkflowSpec` (and `Step`, `TaskStep`, `ParallelStep`, …) — [sdk/spec.ts](../../sdk/spec.ts), from [domain/schemas/workflow-spec.v1.schema.json](../../domain/schemas/workflow-spec.v1.schema.json)',
      '- `TaskManifest` — [sdk/manifest.ts](../../sdk/manifest.ts), from [domain/schemas/task-manifest.v1.schema.json](../../domain/schemas/task-manifest.v1.schema.json)',
      '- `<Adapter>Input` and `<Adapter>Output` per adapter in `sdk/adapters/`, and `TaskInputs` / `TaskOutputs` keyed by task reference',
      '- `<Workflow>Params` per example workflow in `sdk/workflows/`, and `WorkflowParams` keyed by name',
    ].join('\n'),
  ];
  return parts.join('\n\n') + '\n';
}
