import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `scripts/install-tools.sh` (`npm run tools`) puts the server binaries:
 * `${TOOLS_DIR:-.tools}/bin`, a relative TOOLS_DIR being relative to the repository root
 * (the script resolves it the same way).
 */
export type ToolName = 'temporal' | 'temporal-test-server' | 'typesense-server' | 'opa' | 'st';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export class MissingToolError extends Error {
  constructor(
    readonly tool: ToolName,
    readonly path: string,
  ) {
    super(`${tool} is not installed (expected an executable at ${path}): run npm run tools`);
    this.name = 'MissingToolError';
  }
}

export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(repoRoot, env.TOOLS_DIR || '.tools');
}

/** Absolute path of an installed tool; throws `MissingToolError` when it is not there. */
export function toolPath(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const file = path.join(toolsDir(env), 'bin', tool);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new MissingToolError(tool, file);
  }
  return file;
}
