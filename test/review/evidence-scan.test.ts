// The automated checks of the review, over the example pack and over hostile specs.
import { describe, expect, it } from 'vitest';
import { loadExamplePack } from '../../platform/seed.ts';
import { cutString, docsChecks, hostsInSpec, percentile, scanLiteralSecrets, scanStrings, SCAN_LIMITS } from '../../domain/review-evidence.ts';
import { loadPolicyEngine } from '../../platform/opa.ts';
import { DomainError } from '../../domain/errors.ts';
import { controlOutcomes, CONTROLS } from '../../domain/controls.ts';
import type { SpecV1 } from '../../domain/spec-types.ts';

const base = (extra: Record<string, unknown> = {}) =>
  ({
    apiVersion: 'maestro.dev/v1',
    kind: 'Workflow',
    metadata: { name: 'scan-me', version: '1.0.0', title: 'Scan me', description: 'x'.repeat(100), category: 'IT', risk: 'low', scope: 'global', changelog: 'First.' },
    parameters: { type: 'object', properties: {} },
    steps: [{ id: 'a', task: 'http.request@1.0.0', with: { url: 'https://api.example.internal/x' } }],
    ...extra,
  }) as unknown as SpecV1;

describe('the example pack under the automated checks', () => {
  it('holds no literal secrets, names only hosts in URLs, and documents the marketplace entries fully', async () => {
    const pack = await loadExamplePack();
    expect(pack.length).toBeGreaterThan(4);
    for (const ex of pack) {
      const spec = ex.spec as unknown as SpecV1;
      expect(scanLiteralSecrets(spec), ex.file).toEqual([]);
      for (const h of hostsInSpec(spec)) expect(h.host, ex.file).toMatch(/^[a-z0-9.-]+$/);
      const docs = docsChecks(spec);
      expect(docs.map((d) => d.id), ex.file).toEqual(['docs.description', 'docs.parameters-documented', 'docs.changelog', 'docs.example', 'docs.readme']);
      // the marketplace entries pass every documentation check
      if (ex.marketplace) expect(docs.filter((d) => !d.ok).map((d) => `${d.id}: ${d.reason}`), ex.file).toEqual([]);
    }
    const finops = pack.find((e) => e.file.includes('finops'))!.spec as unknown as SpecV1;
    expect(hostsInSpec(finops).map((h) => h.host)).toEqual(expect.arrayContaining(['billing.example.internal', 'chat.example.internal']));
  });

  it('names what a tenant-local draft lacks, each with its reason', async () => {
    const vendor = (await loadExamplePack()).find((e) => e.file.includes('vendor-risk'))!.spec as unknown as SpecV1;
    const failing = docsChecks(vendor).filter((d) => !d.ok);
    expect(failing.map((d) => d.id)).toEqual(['docs.parameters-documented', 'docs.example']);
    expect(failing[0]!.reason).toBe('parameters without a title or description: securityWebhookUrl');
  });
});

describe('literal secrets', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a private key', { steps: [{ id: 'a', task: 'transform@1.0.0', with: { data: { pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIB...' } } }] }, 'private-key'],
    ['an AWS access key id', { steps: [{ id: 'a', task: 'transform@1.0.0', with: { data: { k: 'AKIAIOSFODNN7EXAMPLE' } } }] }, 'aws-access-key-id'],
    ['a GitHub token', { steps: [{ id: 'a', task: 'transform@1.0.0', with: { data: { t: `ghp_${'a'.repeat(36)}` } } }] }, 'github-token'],
    ['a literal bearer token', { steps: [{ id: 'a', task: 'http.request@1.0.0', with: { url: 'https://x.example.internal', headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz123456' } } }] }, 'bearer-token'],
    ['credentials in a URL', { steps: [{ id: 'a', task: 'http.request@1.0.0', with: { url: 'https://admin:hunter22@x.example.internal/' } }] }, 'url-credentials'],
    ['a password-like key with a literal', { steps: [{ id: 'a', task: 'http.request@1.0.0', with: { url: 'https://x.example.internal', authToken: 'letmein' } }] }, 'password-like-key'],
    ['a credential parameter with a default', { parameters: { type: 'object', properties: { api_key: { type: 'string', default: 'sk-123' } } } }, 'password-like-key'],
  ];
  for (const [what, extra, rule] of cases) {
    it(`finds ${what}, without repeating its value`, () => {
      const findings = scanLiteralSecrets(base(extra));
      expect(findings.map((f) => f.rule)).toContain(rule);
      expect(JSON.stringify(findings)).not.toMatch(/AKIA|ghp_a|hunter22|letmein|sk-123|abcdefghijklmnop|MIIB/);
    });
  }

  it('accepts references to the secret store', () => {
    expect(scanLiteralSecrets(base({ steps: [{ id: 'a', task: 'http.request@1.0.0', with: { url: 'https://x.example.internal', authToken: '${{ secrets.api_token }}' } }] }))).toEqual([]);
  });

  it('stays bounded on a huge or deep spec', () => {
    const wide = base({ steps: [{ id: 'a', task: 'transform@1.0.0', with: { data: Array.from({ length: 200_000 }, () => ({ password: 'x' })) } }] });
    expect(scanLiteralSecrets(wide).length).toBe(SCAN_LIMITS.maxFindings);
    let deep: unknown = 'AKIAIOSFODNN7EXAMPLE';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    // beyond the depth limit nothing is walked (and nothing overflows the stack), and the scan says so
    const deepFindings = scanLiteralSecrets(base({ steps: [{ id: 'a', task: 'transform@1.0.0', with: { data: deep } }] }));
    expect(deepFindings).toEqual([{ pointer: expect.stringMatching(/^\/steps\/0\/with\/data(\/d)+$/), rule: 'unscanned-content' }]);
    const urls = base({ steps: [{ id: 'a', task: 'transform@1.0.0', with: { data: Array.from({ length: 5000 }, (_, i) => `https://h${i}.example.internal/`) } }] });
    expect(hostsInSpec(urls).length).toBe(SCAN_LIMITS.maxFindings);
  });
});

describe('hosts and controls', () => {
  it('ties a host to the step whose inputs name it', () => {
    const hosts = hostsInSpec(base({ parameters: { type: 'object', properties: { u: { type: 'string', default: 'https://p.example.internal' } } } }));
    expect(hosts).toEqual([
      { host: 'p.example.internal', pointer: '/parameters/properties/u/default' },
      { host: 'api.example.internal', pointer: '/steps/0/with/url', task: 'http.request@1.0.0' },
    ]);
  });

  it('satisfies a control only when all its evidence is ok, and a missing item satisfies nothing', () => {
    const item = (id: string, ok: boolean) => ({ id, kind: 'docs' as const, title: id, ok, reason: '', digest: 'sha256:x', producedBy: { workflowId: 'w', runId: 'r' } });
    const out = controlOutcomes([item('docs.description', true), item('docs.readme', false), item('docs.changelog', true)]);
    expect(out).toHaveLength(CONTROLS.length);
    expect(out.find((c) => c.id === 'documented-description')!.satisfied).toBe(false);
    expect(out.find((c) => c.id === 'changelog-present')!.satisfied).toBe(true);
    expect(out.find((c) => c.id === 'no-literal-secrets')!.satisfied).toBe(false);
  });

  it('computes nearest-rank percentiles', () => {
    expect(percentile([], 95)).toBeUndefined();
    expect(percentile([10, 20, 30, 40, 50], 50)).toBe(30);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBe(50);
  });
});

describe('a scan that could not see everything fails closed', () => {
  const AWS = 'AKIAIOSFODNN7EXAMPLE';
  it('a secret after the first 20,000 characters of a string', () => {
    const spec = base({ steps: [{ id: 'a', task: 'transform@1.0.0', with: { note: `${'x'.repeat(SCAN_LIMITS.maxStringScan)} ${AWS} https://evil.example.net` } }] });
    expect(scanLiteralSecrets(spec)).toEqual([{ pointer: '/steps/0/with/note', rule: 'unscanned-content' }]);
    expect(scanStrings(spec).gap).toEqual({ pointer: '/steps/0/with/note', reason: `a string longer than ${SCAN_LIMITS.maxStringScan} characters` });
  });

  it('a secret after 50,000 values of padding', () => {
    const spec = base({
      steps: [
        { id: 'a', task: 'transform@1.0.0', with: { pad: Array.from({ length: SCAN_LIMITS.maxNodes + 1 }, () => 0) } },
        { id: 'b', task: 'http.request@1.0.0', with: { url: 'https://x.example.internal', password: 'hunter2', key: AWS } },
      ],
    });
    const findings = scanLiteralSecrets(spec);
    expect(findings.map((f) => f.rule)).toContain('unscanned-content');
    expect(scanStrings(spec).gap?.reason).toBe(`more than ${SCAN_LIMITS.maxNodes} values`);
  });

  it('a complete scan has no gap', () => {
    expect(scanStrings(base()).gap).toBeUndefined();
  });
});

describe('strings reach patterns and policies well-formed', () => {
  it('a cut never splits a surrogate pair; lone surrogates are replaced', () => {
    const s = `${'a'.repeat(9)}😀`;
    expect(cutString(s, 10)).toBe('a'.repeat(9));
    expect(cutString(s, 11)).toBe(s);
    expect(cutString('x\ud83dy\ude00', 100)).toBe('x\ufffdy\ufffd');
  });

  it('a URL cut inside an emoji yields a host the egress policy evaluates', async () => {
    const url = `https://${'a'.repeat(SCAN_LIMITS.maxStringScan - 'https://'.length - 1)}😀.x.com`;
    const [h] = hostsInSpec(base({ steps: [{ id: 'a', task: 'http.request@1.0.0', with: { url } }] }));
    expect(h!.host.endsWith('\ud83d')).toBe(false);
    const engine = await loadPolicyEngine('.build/policies');
    expect(engine.egressDecision({ tenant: 'acme', host: h!.host, manifest_allow: ['*.example.internal'], tenant_allow: ['*'] }).allow).toBe(false);
  });

  it('input the policy wasm cannot parse is an input failure, not a retryable error', async () => {
    const engine = await loadPolicyEngine('.build/policies');
    let err: unknown;
    try {
      engine.egressDecision({ tenant: 'acme', host: 'a\ud83d', manifest_allow: ['*'], tenant_allow: ['*'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ kind: 'input', code: 'POLICY_INPUT_INVALID' });
  });
});
