import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { taskRef, type TaskManifest } from '../../domain/manifest.ts';
import { compareSemver } from '../../domain/semver.ts';
import type { ManifestFile } from '../local-registry.ts';
import { BANNER } from './banner.ts';
import { readJson, type SpecFile } from './inputs.ts';
import { groupBy, pascalCase } from './names.ts';
import { isSchema, mapSchema, type Schema } from './schema-walk.ts';

// sdk/**: TypeScript types from the JSON Schemas, with json-schema-to-typescript.

const SHAPE_KEYWORDS = ['type', 'enum', 'const', '$ref', 'properties', 'patternProperties', 'additionalProperties', 'items', 'prefixItems', 'allOf', 'anyOf', 'oneOf', 'tsType'];

/** Required names of a `{ required }` or `{ anyOf: [{ required }] }` — the forms of an exclusive oneOf branch. */
function requiredNames(s: unknown): string[] | undefined {
  if (!isSchema(s)) return undefined;
  if (Array.isArray(s.required) && Object.keys(s).length === 1) return s.required as string[];
  if (Array.isArray(s.anyOf) && Object.keys(s).length === 1) {
    const names = (s.anyOf as unknown[]).map(requiredNames);
    return names.every(Boolean) ? names.flat() as string[] : undefined;
  }
  return undefined;
}

/**
 * `properties` + `oneOf: [{ required: [a], not: { required: [b] } }, …]` (one of two shapes of
 * one object) becomes a union of two object types, each without the fields it forbids, so
 * TypeScript narrows on them. Each branch is named after its first required field.
 */
function splitExclusiveOneOf(s: Schema, key: string | undefined): Schema {
  if (!isSchema(s.properties) || !Array.isArray(s.oneOf)) return s;
  const branches = (s.oneOf as unknown[]).map((b) => {
    if (!isSchema(b) || Object.keys(b).some((k) => k !== 'required' && k !== 'not')) return undefined;
    const forbidden = b.not === undefined ? [] : requiredNames(b.not);
    return forbidden && Array.isArray(b.required) ? { required: b.required as string[], forbidden } : undefined;
  });
  if (!branches.every(Boolean)) return s;
  const { oneOf: _oneOf, description, ...base } = s;
  return {
    ...(description !== undefined ? { description } : {}),
    oneOf: branches.map((b) => ({
      ...base,
      ...(key ? { title: `${pascalCase(b!.required[0] ?? 'variant')}${pascalCase(key)}` } : {}),
      properties: Object.fromEntries(Object.entries(base.properties as Schema).map(([name, p]) => [name, b!.forbidden.includes(name) ? false : p])),
      required: [...new Set([...((base.required as string[] | undefined) ?? []), ...b!.required])],
    })),
  };
}

/**
 * A schema as json-schema-to-typescript should see it: titles become comments instead of
 * type names (parameter titles are labels, not types), a schema without any shape keyword
 * is `unknown` (not an object), exclusive oneOf becomes a union, the root gets `name`.
 */
function forTypes(schema: Schema, name: string, description?: string): JSONSchema {
  const labelled = mapSchema(schema, (s) => {
    const { title, $id: _id, $schema: _schema, ...rest } = s;
    if (typeof title === 'string') rest.description = typeof rest.description === 'string' ? `${title} — ${rest.description}` : title;
    return rest;
  });
  const split = mapSchema(labelled, splitExclusiveOneOf);
  const typed = mapSchema(split, (s) => (SHAPE_KEYWORDS.some((k) => k in s) ? s : { ...s, tsType: 'unknown' })) as Schema;
  return { ...typed, $id: name, ...(description ? { description } : {}) } as JSONSchema;
}

const PRETTIER = { singleQuote: true, printWidth: 120, trailingComma: 'all', bracketSpacing: true, semi: true } as const;

async function typesOf(schema: Schema, name: string, description: string, defPrefix: string): Promise<string> {
  const ts = await compile(forTypes(schema, name, description), name, {
    bannerComment: '',
    unknownAny: true,
    ignoreMinAndMaxItems: true,
    additionalProperties: true,
    unreachableDefinitions: false,
    format: true,
    style: PRETTIER,
    // $defs of one file's several schemas (input and output) must not collide
    customName: (_s, defKey) => (defKey ? `${defPrefix}${pascalCase(defKey)}` : undefined),
  });
  return ts.trim();
}

const exportedNames = (ts: string) => [...ts.matchAll(/^export (?:interface|type|enum|const enum) (\w+)/gm)].map((m) => m[1]!);

/** Type-name stem per adapter version: the newest version of a name gets the plain name. */
export function adapterTypeStems(manifests: TaskManifest[]): Map<string, string> {
  const stems = new Map<string, string>();
  const byName = groupBy(manifests, (m) => m.metadata.name);
  for (const [name, versions] of byName) {
    const sorted = versions.map((m) => m.metadata.version).sort(compareSemver);
    for (const v of sorted) stems.set(`${name}@${v}`, v === sorted.at(-1) ? pascalCase(name) : `${pascalCase(name)}V${v.replace(/\./g, '_')}`);
  }
  return stems;
}

const tsBanner = (source: string) => `// ${BANNER}. Source: ${source}\n`;

export async function sdkFiles(root: string, manifests: ManifestFile[], specs: SpecFile[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const stems = adapterTypeStems(manifests.map((f) => f.manifest));
  const index: string[] = [];
  const reexport = (file: string, ts: string) => {
    const names = exportedNames(ts);
    if (names.length) index.push(`export type { ${names.join(', ')} } from './${file}';`);
  };

  const specSchemaFile = 'domain/schemas/workflow-spec.v1.schema.json';
  const manifestSchemaFile = 'domain/schemas/task-manifest.v1.schema.json';
  const specTs = await typesOf(readJson(root, specSchemaFile), 'WorkflowSpec', 'A workflow spec (maestro.dev/v1, kind Workflow).', '');
  const manifestTs = await typesOf(readJson(root, manifestSchemaFile), 'TaskManifest', 'An adapter manifest (maestro.dev/v1, kind TaskAdapter).', 'TaskManifest');
  out.set('sdk/spec.ts', `${tsBanner(specSchemaFile)}\n${specTs}\n`);
  out.set('sdk/manifest.ts', `${tsBanner(manifestSchemaFile)}\n${manifestTs}\n`);
  reexport('spec.ts', specTs);
  reexport('manifest.ts', manifestTs);

  const taskInputs: string[] = [];
  const taskOutputs: string[] = [];
  const imports: string[] = [];
  for (const [name, files] of groupBy(manifests, (f) => f.manifest.metadata.name)) {
    const chunks: string[] = [];
    for (const { manifest: m } of files) {
      const stem = stems.get(taskRef(m))!;
      const what = `${taskRef(m)}${m.metadata.title ? ` (${m.metadata.title})` : ''}`;
      chunks.push(await typesOf(m.spec.input, `${stem}Input`, `Inputs of ${what}.`, `${stem}Input`));
      chunks.push(await typesOf(m.spec.output, `${stem}Output`, `Output of ${what}.`, `${stem}Output`));
      taskInputs.push(`  '${taskRef(m)}': ${stem}Input;`);
      taskOutputs.push(`  '${taskRef(m)}': ${stem}Output;`);
    }
    const ts = chunks.join('\n\n');
    const stemsOfName = files.map((f) => stems.get(taskRef(f.manifest))!);
    imports.push(`import type { ${stemsOfName.flatMap((st) => [`${st}Input`, `${st}Output`]).join(', ')} } from './adapters/${name}.ts';`);
    out.set(`sdk/adapters/${name}.ts`, `${tsBanner(files.map((f) => f.file).join(', '))}\n${ts}\n`);
    reexport(`adapters/${name}.ts`, ts);
  }

  const workflowParams: string[] = [];
  for (const { file, spec } of specs) {
    const typeName = `${pascalCase(spec.metadata.name)}Params`;
    const what = `${spec.metadata.name}@${spec.metadata.version}${spec.metadata.title ? ` (${spec.metadata.title})` : ''}`;
    const ts = spec.parameters
      ? await typesOf(spec.parameters as Schema, typeName, `Run parameters of ${what}.`, typeName)
      : `/**\n * Run parameters of ${what}: none.\n */\nexport type ${typeName} = Record<string, never>;`;
    out.set(`sdk/workflows/${spec.metadata.name}.ts`, `${tsBanner(file)}\n${ts}\n`);
    reexport(`workflows/${spec.metadata.name}.ts`, ts);
    workflowParams.push(`  '${spec.metadata.name}': ${typeName};`);
    imports.push(`import type { ${typeName} } from './workflows/${spec.metadata.name}.ts';`);
  }

  const all = index.flatMap((l) => /\{ (.*) \}/.exec(l)![1]!.split(', '));
  const dup = all.find((n, i) => all.indexOf(n) !== i);
  if (dup) throw new Error(`two generated files export the type "${dup}"; rename a $defs entry or an adapter`);
  const body = [
    tsBanner('the files below'),
    ...imports,
    '',
    ...index,
    '',
    '/** The inputs of every task, by task reference. */',
    `export interface TaskInputs {\n${taskInputs.join('\n')}\n}`,
    '',
    '/** The output of every task, by task reference. */',
    `export interface TaskOutputs {\n${taskOutputs.join('\n')}\n}`,
    '',
    '/** The run parameters of every example workflow, by name. */',
    `export interface WorkflowParams {\n${workflowParams.join('\n')}\n}`,
    '',
  ];
  out.set('sdk/index.ts', body.join('\n'));
  return out;
}
