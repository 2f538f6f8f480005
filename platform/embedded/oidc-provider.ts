import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, type ManagedProcess, type OutputMode } from './process.ts';
import { httpProbe, waitUntilReady } from './readiness.ts';

/** The embedded OpenID provider (platform/oidc/main.ts) as a child process on 127.0.0.1. */
export interface StartOidcProviderOptions {
  port: number;
  /** its signing and cookie keys (created on first start, mode 0600) */
  stateFile: string;
  demoPassword: string;
  accessTokenTtlSeconds?: number;
  output?: OutputMode;
  ownProcessGroup?: boolean;
  readyTimeoutMs?: number;
}

export interface RunningOidcProvider {
  /** http://127.0.0.1:<port> */
  issuer: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

const main = fileURLToPath(new URL('../oidc/main.ts', import.meta.url));

export async function startOidcProvider(options: StartOidcProviderOptions): Promise<RunningOidcProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const proc = startProcess({
    name: 'oidc-provider',
    command: process.execPath,
    args: ['--import', 'tsx', main],
    cwd: path.resolve(path.dirname(main), '../..'),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production', // oidc-provider's own mode: no debugging aids on error pages
      OIDC_PROVIDER_PORT: String(options.port),
      OIDC_PROVIDER_STATE: path.resolve(options.stateFile),
      DEMO_PASSWORD: options.demoPassword,
      ...(options.accessTokenTtlSeconds ? { OIDC_PROVIDER_ACCESS_TOKEN_TTL: String(options.accessTokenTtlSeconds) } : {}),
    },
    output: options.output ?? 'prefix',
    ownProcessGroup: options.ownProcessGroup ?? false,
    stopTimeoutMs: 5_000,
  });
  const stop = async () => {
    await proc.stop();
  };
  try {
    await waitUntilReady(proc, `${issuer}/.well-known/openid-configuration to answer`, httpProbe(`${issuer}/.well-known/openid-configuration`), {
      timeoutMs: options.readyTimeoutMs ?? 60_000,
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { issuer, process: proc, stop };
}
