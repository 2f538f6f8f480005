import { analyseExpression, expressionsIn } from '../../domain/expressions.ts';
import { isParallel, type SpecV1, type Step } from '../../domain/spec-types.ts';
import { BANNER } from './banner.ts';
import { code, fieldTable, keyValueTable, list, table, text } from './markdown.ts';
import { pascalCase } from './names.ts';
import type { Schema } from './schema-walk.ts';

interface StepEntry {
  step: Step;
  number: string;
  group?: string;
}

function numberedSteps(steps: Step[], prefix = '', group?: string): StepEntry[] {
  return steps.flatMap((step, i) => {
    const number = `${prefix}${i + 1}`;
    const entry: StepEntry = { step, number, ...(group ? { group } : {}) };
    return isParallel(step) ? [entry, ...numberedSteps(step.parallel, `${number}.`, step.id)] : [entry];
  });
}

/** The roots and first path segments a step's expressions read, e.g. steps → createAccount. */
function readsOf(step: Step): { steps: string[]; secrets: string[] } {
  const exprs = [...(step.when ? [step.when] : []), ...(isParallel(step) ? [] : expressionsIn(step.with ?? {}).map((e) => e.expr))];
  const steps = new Set<string>();
  const secrets = new Set<string>();
  for (const e of exprs) {
    const a = analyseExpression(e);
    if ('error' in a) continue;
    for (const r of a.references) {
      if (r.root === 'steps' && r.path[0]) steps.add(r.path[0]);
      if (r.root === 'secrets' && r.path[0]) secrets.add(r.path[0]);
    }
  }
  return { steps: [...steps], secrets: [...secrets] };
}

const taskLink = (ref: string, known: Set<string>) => (known.has(ref) ? `[${code(ref)}](../adapters/${ref}.md)` : code(ref));

const mermaidText = (s: string) => s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\r?\n/g, ' ');

/** A flowchart: top-level steps in order, parallel groups as subgraphs, `when` as a decision. */
export function mermaidFlow(steps: Step[]): string {
  const lines = ['flowchart TD', '  start(["start"])'];
  const nodeId = (number: string) => `s${number.replace(/\./g, '_')}`;
  const label = (step: Step, withWhen: boolean) =>
    `"${mermaidText(step.id)}${isParallel(step) ? '' : `<br/>${mermaidText(step.task)}`}${withWhen && step.when ? `<br/>when: ${mermaidText(step.when)}` : ''}"`;
  const declare = (step: Step, number: string, indent: string) => {
    if (!isParallel(step)) {
      lines.push(`${indent}${nodeId(number)}[${label(step, indent.length > 2)}]`);
      return;
    }
    const when = indent.length > 2 && step.when ? `, when: ${mermaidText(step.when)}` : '';
    lines.push(`${indent}subgraph ${nodeId(number)}["${mermaidText(step.id)} (parallel${when})"]`);
    step.parallel.forEach((inner, i) => declare(inner, `${number}.${i + 1}`, `${indent}  `));
    lines.push(`${indent}end`);
  };
  let incoming: { from: string; label?: string }[] = [{ from: 'start' }];
  const edge = (from: string, to: string, text?: string) => lines.push(`  ${from} -->${text ? `|${text}|` : ''} ${to}`);
  steps.forEach((step, i) => {
    const id = nodeId(String(i + 1));
    declare(step, String(i + 1), '  ');
    let target = id;
    if (step.when) {
      target = `${id}_when`;
      lines.push(`  ${target}{"${mermaidText(step.when)}"}`);
    }
    for (const inc of incoming) edge(inc.from, target, inc.label);
    if (step.when) {
      edge(target, id, 'true');
      incoming = [{ from: id }, { from: target, label: 'false' }];
    } else incoming = [{ from: id }];
  });
  lines.push('  finish(["end"])');
  for (const inc of incoming) edge(inc.from, 'finish', inc.label);
  return lines.join('\n');
}

export function workflowPage(file: string, spec: SpecV1, knownTasks: Set<string>): string {
  const md = spec.metadata;
  const params = (spec.parameters ?? { type: 'object' }) as Schema;
  const entries = numberedSteps(spec.steps);
  const tasks = [...new Set(entries.flatMap((e) => (isParallel(e.step) ? [] : [e.step.task])))];
  const sdkFile = `sdk/workflows/${md.name}.ts`;
  const parts: string[] = [
    `<!-- ${BANNER}. Source: ${file} -->`,
    `# ${text(md.title ?? md.name)} — ${code(`${md.name}@${md.version}`)}`,
    text(md.description),
    keyValueTable([
      ['Name', code(md.name)],
      ['Version', md.version],
      ['Category', md.category],
      ['Risk', md.risk],
      ['Scope', md.scope],
      ['Owner', md.owner],
      ['Owner team', md.ownerTeam],
      ['Tags', md.tags?.length ? list(md.tags) : undefined],
      ['Changelog', md.changelog && text(md.changelog)],
      ['Tasks', tasks.map((t) => taskLink(t, knownTasks)).join(', ')],
      ['TypeScript', `${code(`${pascalCase(md.name)}Params`)} in [${sdkFile}](../../../${sdkFile})`],
      ['Source', `[${file}](../../../${file})`],
    ]),
    '## Parameters',
    fieldTable(params, params) || 'This workflow takes no parameters.',
    '## Secrets',
  ];
  const usedBy = (name: string) => entries.filter((e) => readsOf(e.step).secrets.includes(name)).map((e) => e.step.id);
  parts.push(
    spec.secrets?.length
      ? table(
          ['Secret', 'Description', 'Used by'],
          spec.secrets.map((s) => [code(s.name), s.description ? text(s.description) : '—', list(usedBy(s.name))]),
        )
      : 'This workflow declares no secrets.',
    '## Steps',
    table(
      ['#', 'Step', 'Task', 'Runs', 'Condition (`when`)', 'Inputs', 'Reads output of'],
      entries.map(({ step, number, group }) => [
        number,
        `${code(step.id)}${step.name ? ` ${text(step.name)}` : ''}`,
        isParallel(step) ? `parallel group of ${step.parallel.length}` : taskLink(step.task, knownTasks),
        group ? `in parallel (${code(group)})` : 'in order',
        step.when ? code(step.when) : '—',
        isParallel(step) ? '—' : list(Object.keys(step.with ?? {})),
        list(readsOf(step).steps),
      ]),
    ),
    '## Flow',
    '```mermaid\n' + mermaidFlow(spec.steps) + '\n```',
  );
  return parts.join('\n\n') + '\n';
}
