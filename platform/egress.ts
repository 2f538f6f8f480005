import type { Sql } from './db.ts';
import type { EgressDecision, PolicyEngine } from './opa.ts';
import { DomainError, inputError, notAllowed } from '../domain/errors.ts';

/**
 * Run-time egress enforcement for adapters. Before any connection (and again for every
 * redirect hop) the URL's host is checked by policies/egress.rego against the adapter
 * manifest's `spec.security.egress.allow` AND the tenant's allow-list
 * (`tenant_setting.egress_allow`; a tenant without a row may call nothing).
 *
 * The check is on the host name as written in the URL. It does not pin the address DNS
 * returns: a name on the list that resolves to an internal address is still reached, so
 * allow-lists should name hosts the tenant controls (or trusts) only.
 */
export interface EgressGuard {
  /** The decision for one URL, without connecting. */
  check(url: URL, tenantId: string, manifestAllow: string[]): Promise<EgressDecision>;
  /** Throws not_allowed:EGRESS_DENIED (naming host, tenant and the refusing list) unless allowed. */
  assertAllowed(url: URL, tenantId: string, manifestAllow: string[]): Promise<EgressDecision>;
  /**
   * `fetch` with the check before every connection. Redirects are followed by hand
   * (`redirect: 'manual'`, at most `maxRedirects`), each target checked before it is
   * contacted; the Authorization header is dropped when a redirect leaves the origin.
   */
  fetch(url: URL, init: RequestInit, opts: { tenantId: string; manifestAllow: string[]; maxRedirects?: number }): Promise<{ response: Response; url: URL }>;
}

export type TenantAllowList = (tenantId: string) => Promise<string[]>;

/** The tenant's allow-list from Postgres, read for every call (an edit applies at once). */
export const tenantAllowFromDb =
  (sql: Sql): TenantAllowList =>
  async (tenantId) => {
    const [row] = await sql<{ egress_allow: string[] }[]>`select egress_allow from tenant_setting where tenant_id = ${tenantId}`;
    return row?.egress_allow ?? [];
  };

export async function setTenantEgressAllow(sql: Sql, tenantId: string, allow: string[]): Promise<void> {
  await sql`
    insert into tenant_setting (tenant_id, egress_allow) values (${tenantId}, ${allow}::text[])
    on conflict (tenant_id) do update set egress_allow = excluded.egress_allow, updated_at = now()`;
}

/** Host name as the policy compares it: lower-case, no IPv6 brackets, no trailing dot. */
export const policyHost = (url: URL) => url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function checkHttpUrl(raw: string | URL): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw inputError('URL_INVALID', 'the URL is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw inputError('URL_INVALID', `only http and https URLs can be called, not ${url.protocol}`);
  // a credential in the URL would be recorded in history with the inputs: use a secret input
  if (url.username || url.password) throw inputError('URL_INVALID', 'the URL must not contain credentials (user:password@); pass them as a secret reference');
  return url;
}

export function createEgressGuard(deps: { policy: PolicyEngine; tenantAllow: TenantAllowList }): EgressGuard {
  const check = async (url: URL, tenantId: string, manifestAllow: string[]) =>
    deps.policy.egressDecision({ tenant: tenantId, host: policyHost(url), manifest_allow: manifestAllow, tenant_allow: await deps.tenantAllow(tenantId) });

  const assertAllowed = async (url: URL, tenantId: string, manifestAllow: string[]) => {
    const d = await check(url, tenantId, manifestAllow);
    if (!d.allow) {
      throw notAllowed(
        'EGRESS_DENIED',
        `egress to host "${d.host}" denied for tenant "${tenantId}": ${d.reasons.join('; ')}`,
        d.reasons.map((message) => ({ path: '/url', message, code: 'EGRESS_DENIED' })),
      );
    }
    return d;
  };

  return {
    check,
    assertAllowed,
    async fetch(start, init, { tenantId, manifestAllow, maxRedirects = 5 }) {
      let url = checkHttpUrl(start);
      let method = (init.method ?? 'GET').toUpperCase();
      let body = init.body;
      const headers = new Headers(init.headers);
      for (let hop = 0; ; hop++) {
        await assertAllowed(url, tenantId, manifestAllow);
        // looked up on each call (not captured at import), so tests can observe it
        const response = await globalThis.fetch(url, { ...init, method, headers, body: body ?? null, redirect: 'manual' });
        const location = response.headers.get('location');
        if (!REDIRECTS.has(response.status) || !location) return { response, url };
        await response.body?.cancel();
        if (hop >= maxRedirects) throw new DomainError('input', 'TOO_MANY_REDIRECTS', `more than ${maxRedirects} redirects, last to ${policyHost(url)}`);
        const next = checkHttpUrl(new URL(location, url));
        // as browsers do: 303, and 301/302 after a POST, continue as a GET without body
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          headers.delete('content-type');
        }
        if (next.origin !== url.origin) headers.delete('authorization');
        url = next;
      }
    },
  };
}
