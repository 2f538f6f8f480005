import { parseArgs } from 'node:util';
import type { Format } from './report.ts';

/** A mistake in how the CLI was called: exit code 2 with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type Command =
  | { name: 'help' }
  | { name: 'validate'; file: string; format: Format; api?: { url: string; token: string } }
  | { name: 'validate-manifest'; file: string; format: Format }
  | {
      name: 'verify';
      file: string;
      format: Format;
      keys: string;
      temporal?: { address: string; namespace: string };
      historyFile?: string;
      expectDigest?: string;
    };

const OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  format: { type: 'string' },
  keys: { type: 'string' },
  temporal: { type: 'string' },
  namespace: { type: 'string' },
  history: { type: 'string' },
  'expect-digest': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const parseOptions = (args: string[]) => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });

const readFormat = (value: string | undefined): Format => {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw new UsageError(`--format must be text or json, not "${value}"`);
};

const oneFile = (command: string, positionals: string[]): string => {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one file`);
  return positionals[0]!;
};

/** argv without `node` and the script; `env` supplies MAESTRO_TOKEN when --token is absent. */
export function parseCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Command {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('a command is required');
  if (name === 'help' || name === '--help' || name === '-h') return { name: 'help' };
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(rest);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  const format = readFormat(values.format);
  const verifyOnly = (['keys', 'temporal', 'namespace', 'history', 'expect-digest'] as const).filter((k) => values[k] !== undefined);
  if (name !== 'verify' && verifyOnly.length) throw new UsageError(`--${verifyOnly[0]} is an option of maestro verify`);
  switch (name) {
    case 'validate': {
      const file = oneFile(name, positionals);
      if (values.api === undefined) {
        if (values.token !== undefined) throw new UsageError('--token is only used with --api');
        return { name, file, format };
      }
      const token = values.token ?? env.MAESTRO_TOKEN;
      if (!token) throw new UsageError('--api needs a token: --token <jwt> or MAESTRO_TOKEN (npm run -s token -- <user>)');
      if (!/^https?:\/\//.test(values.api)) throw new UsageError(`--api must be an http(s) URL, not "${values.api}"`);
      // the client adds /api itself; accept the URL either way
      return { name, file, format, api: { url: values.api.replace(/\/+$/, '').replace(/\/api$/, ''), token } };
    }
    case 'validate-manifest':
      if (values.api !== undefined || values.token !== undefined) throw new UsageError('validate-manifest checks locally; it takes no --api or --token');
      return { name, file: oneFile(name, positionals), format };
    case 'verify': {
      const file = oneFile(name, positionals);
      if (values.api !== undefined || values.token !== undefined) throw new UsageError('verify works offline: give the published keys with --keys <file|url>');
      if (!values.keys) throw new UsageError('verify needs the published keys: --keys <file> or --keys <url> (GET /api/trust/keys)');
      if (values.namespace !== undefined && values.temporal === undefined) throw new UsageError('--namespace is used with --temporal');
      if (values.temporal !== undefined && values.history !== undefined) throw new UsageError('give --temporal or --history, not both');
      const digest = values['expect-digest'];
      if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new UsageError('--expect-digest must be sha256:<64 hex digits>');
      return {
        name,
        file,
        format,
        keys: values.keys,
        ...(values.temporal !== undefined ? { temporal: { address: values.temporal, namespace: values.namespace ?? 'default' } } : {}),
        ...(values.history !== undefined ? { historyFile: values.history } : {}),
        ...(digest !== undefined ? { expectDigest: digest } : {}),
      };
    }
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}

export const USAGE = `maestro — author and check Maestro workflow specs and adapter manifests

usage:
  maestro validate <file> [--format text|json]
      validate a workflow spec (YAML or JSON) against the spec schema and the adapter
      manifests of this repository (adapters/builtin, examples/partner-adapter)
  maestro validate <file> --api <url> [--token <jwt>] [--format text|json]
      validate against a server's task registry (POST /api/specs/validate); the token
      defaults to $MAESTRO_TOKEN
  maestro validate-manifest <file> [--format text|json]
      check an adapter manifest against the manifest schema
  maestro verify <file> --keys <file|url> [--temporal <address> [--namespace <ns>] | --history <file>]
                 [--expect-digest sha256:<hex>] [--format text|json]
      verify a signed bundle or receipt offline against the published keys (the JSON of
      GET /api/trust/keys, as a file or URL): bundle, key, signature, statement, subject;
      for a receipt, with --temporal (or a history file) also the history digest
  maestro help

output: one line per finding, "file:line:column  CODE  path  message" (warnings say so),
then a summary line (verify: one line per check, then the verdict naming the failed check).
exit codes: 0 valid or verified (warnings allowed), 1 invalid or not verified, 2 usage
error, unreadable file or unreachable server.

run it with: npm run -s cli -- validate examples/workflows/hr-onboarding.yaml`;
