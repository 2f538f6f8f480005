import type { PublishStatus } from '../domain/publish.ts';

/** A small typed HTTP client of our API, used by the seed script, the CLI and tests. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export function apiClient(baseUrl: string, token: string, fetchImpl: Fetch = fetch) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetchImpl(`${baseUrl}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json().catch(() => ({}))) as T & { code?: string; message?: string };
    if (res.status >= 400) throw new ApiError(res.status, json.code ?? 'UNKNOWN', json.message ?? res.statusText, json);
    return { status: res.status, body: json };
  }
  return {
    call,
    createDraft: (spec: unknown) => call<{ definitionId: string; version: string; digest: string; created: boolean }>('POST', '/definitions', { spec }),
    getDefinition: (id: string) => call<{ id: string; latestVersion?: string; status: string }>('GET', `/definitions/${id}`),
    requestPublish: (id: string, version: string) => call<{ workflowId: string; runId: string }>('POST', `/definitions/${id}/publish-requests`, { version }),
    publishState: (id: string, version: string) => call<{ status: PublishStatus; error?: { code: string; message: string } }>('GET', `/definitions/${id}/publish-requests/${version}`),
    decide: (id: string, version: string, decision: 'approve' | 'reject', rationale: string) =>
      call<{ status: string }>('POST', `/definitions/${id}/publish-requests/${version}/approvals`, { decision, rationale }),
    searchCatalog: (q: string) => call<{ items: { id: string }[]; found: number }>('GET', `/catalog?q=${encodeURIComponent(q)}`),
    async waitForPublish(id: string, version: string, until: PublishStatus[], timeoutMs = 30_000): Promise<PublishStatus> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await call<{ status: PublishStatus }>('GET', `/definitions/${id}/publish-requests/${version}`).catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 404) return undefined;
          throw e;
        });
        if (s && until.includes(s.body.status)) return s.body.status;
        if (Date.now() > deadline) throw new Error(`publish of ${id}@${version} did not reach ${until.join('|')} (last: ${s?.body.status ?? 'none'})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
