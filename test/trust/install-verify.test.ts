// Install and upgrade verify what they install: every tampering case is refused with its
// stable code, by the API's pre-check and by the lifecycle itself (started directly, as a
// caller past the API would), and nothing is installed or moved. The attacker here has
// database access: the file runs on a database of its own, whose immutability trigger and
// review check it may disable without disturbing the other files.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, prepareDatabase, testSpec, type Stack } from '../support/stack.ts';
import { call, install, publishTemplate, waitForInstall } from '../marketplace/support.ts';
import { instanceRow, waitForUpgrade } from '../marketplace/upgrade-support.ts';
import { createKeyRing, signStatement, statementFor, type KeyRing } from '../../platform/signing.ts';
import { historyDigest, type HistoryEvent } from '../../platform/receipts.ts';
import { startLifecycleWith } from '../../platform/lifecycle-start.ts';
import { installLifecycle, upgradeLifecycle } from '../../workflows/contracts/index.ts';
import { instanceIdFor, type InstallInput } from '../../domain/install.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, TRUST_CODES, type ReceiptBody, type SigstoreBundleJson } from '../../domain/trust.ts';
import { DEMO_USERS } from '../../domain/demo-users.ts';
import type { Actor } from '../../domain/actor.ts';
import { certify, documentedSpec } from './support.ts';

let s: Stack;
let ring: KeyRing;
beforeAll(async () => {
  const url = await prepareDatabase(`trust_install_${randomUUID().slice(0, 8)}`);
  s = await openStack({ databaseUrl: url });
  ring = createKeyRing(s.sql, s.env.secretsKey);
});
afterAll(async () => s?.close());

const gus = DEMO_USERS.find((u) => u.sub === 'gus')! as Actor;

/** As an attacker with database access: the version's row changes although it is published. */
async function tamper(id: string, version: string, change: (sql: Stack['sql']) => Promise<unknown>) {
  await s.sql`alter table workflow_version disable trigger workflow_version_immutable`;
  try {
    await change(s.sql);
  } finally {
    await s.sql`alter table workflow_version enable trigger workflow_version_immutable`;
  }
  const [v] = await s.sql`select 1 from workflow_version where definition_id = ${id} and version = ${version}`;
  expect(v).toBeDefined();
}

const bundleOf = async (id: string, version: string) =>
  (await s.sql<{ signature_bundle: SigstoreBundleJson }[]>`select signature_bundle from workflow_version where definition_id = ${id} and version = ${version}`)[0]!.signature_bundle;
const setBundle = (id: string, version: string, bundle: unknown) =>
  tamper(id, version, (sql) => sql`update workflow_version set signature_bundle = ${sql.json(bundle as never)} where definition_id = ${id} and version = ${version}`);

/** The version's publish receipt, changed by `edit` and signed again with the platform key (an insider with the key). */
async function forgePublishReceipt(id: string, version: string, edit: (body: ReceiptBody) => Promise<ReceiptBody> | ReceiptBody) {
  const [r] = await s.sql<{ id: string; body: ReceiptBody }[]>`select id, body from provenance_receipt where lifecycle = 'publish' and subject = ${`${id}@${version}`}`;
  const body = await edit(structuredClone(r!.body));
  const bundle = await signStatement(ring, PLATFORM_KEY_OWNER, statementFor(body.subject, PREDICATE_TYPES.receipt, body));
  await s.sql`update provenance_receipt set body = ${s.sql.json(body as never)}, bundle = ${s.sql.json(bundle as never)} where id = ${r!.id}`;
}

/** The receipt's history digest over the publish history as Temporal has it, with one event edited. */
async function editedHistoryDigest(body: ReceiptBody): Promise<string> {
  const { events } = await s.client.workflow.getHandle(body.workflowId, body.runId).fetchHistory();
  const edited = structuredClone(events ?? []) as HistoryEvent[];
  edited[0]!.workflowExecutionStartedEventAttributes!.identity = 'mallory@elsewhere';
  return historyDigest(edited, body.history.lastEventId);
}

/** acme's pat publishes a marketplace template; it passes review (sam, perry, dora). */
async function template(version = '1.0.0', name?: string) {
  return publishTemplate(s, testSpec({ scope: 'global', version, ...(name ? { name } : {}) }));
}

/** Starts the install lifecycle directly (past the API's pre-check) and waits for its end. */
async function installPastTheApi(templateId: string, version = '1.0.0') {
  const instanceId = instanceIdFor('globex', templateId, 'dev', randomUUID().slice(0, 6));
  const input: InstallInput = { instanceId, templateId, definitionId: templateId, version, environment: 'dev', parameters: {}, secrets: {}, policies: {}, quotas: {}, requestedBy: gus };
  await startLifecycleWith(s.client, s.config.TEMPORAL_TASK_QUEUE, installLifecycle, input);
  return { instanceId, view: await waitForInstall(s, 'gus', instanceId) };
}

/** Refused by the API (its status and code) and by the lifecycle (invalid, same code), with nothing installed. */
async function refusedEverywhere(templateId: string, code: string, apiStatus: number, version = '1.0.0') {
  const api = await call(s, 'gus', 'POST', '/installs', { templateId, version, environment: 'dev' });
  expect([api.status, api.body.code], JSON.stringify(api.body)).toEqual([apiStatus, code]);
  const check = await call<{ allow: boolean; trust: { verified: boolean; code?: string } }>(s, 'gus', 'POST', `/templates/${templateId}/install-check`, { version, environment: 'dev' });
  expect(check.status).toBe(200);
  expect([check.body.allow, check.body.trust.verified, check.body.trust.code]).toEqual([false, false, code]);

  const { instanceId, view } = await installPastTheApi(templateId, version);
  expect([view.status, view.error?.code], JSON.stringify(view.error)).toEqual(['invalid', code]);
  // nothing installed: no instance (reserved or otherwise), so no bindings and no receipt
  expect(await s.sql`select 1 from workflow_instance where id = ${instanceId}`).toHaveLength(0);
  expect(await s.sql`select 1 from workflow_instance where template_id = ${templateId} and tenant_id = 'globex'`).toHaveLength(0);
  expect(await s.sql`select 1 from provenance_receipt where subject = ${`instance:${instanceId}`}`).toHaveLength(0);
}

describe('install verifies the version against the installing tenant', () => {
  it('installs a signed, reviewed version (the baseline the cases below break)', async () => {
    const id = await template();
    const check = await call<{ allow: boolean; trust: { verified: boolean; keyId: string } }>(s, 'gus', 'POST', `/templates/${id}/install-check`, { environment: 'dev' });
    expect(check.body.trust).toMatchObject({ verified: true, keyId: expect.stringMatching(/^maestro-publisher-acme-/) });
    await install(s, 'gus', { templateId: id, environment: 'dev' });
  });

  it('a tampered spec byte: DIGEST_MISMATCH', async () => {
    const id = await template();
    await tamper(id, '1.0.0', (sql) => sql`update workflow_version set spec = jsonb_set(spec, '{metadata,description}', '"A test workflow, changed by one byte!"') where definition_id = ${id}`);
    await refusedEverywhere(id, 'DIGEST_MISMATCH', 422);
  });

  it('a tampered spec with its digest recomputed: the signature no longer covers it (SUBJECT_DIGEST_MISMATCH)', async () => {
    const id = await template();
    await tamper(id, '1.0.0', async (sql) => {
      await sql`update workflow_version set spec = jsonb_set(spec, '{steps,0,with,expression}', '"{ \\"email\\": \\"attacker@example.com\\" }"') where definition_id = ${id}`;
      const [row] = await sql<{ spec: unknown }[]>`select spec from workflow_version where definition_id = ${id}`;
      const { contentDigest } = await import('../../platform/digest.ts');
      await sql`update workflow_version set digest = ${contentDigest(row!.spec)} where definition_id = ${id}`;
    });
    await refusedEverywhere(id, TRUST_CODES.subjectDigestMismatch, 422);
  });

  it('a tampered bundle signature: SIGNATURE_INVALID', async () => {
    const id = await template();
    const bundle = await bundleOf(id, '1.0.0');
    const sig = Buffer.from(bundle.dsseEnvelope.signatures[0]!.sig, 'base64');
    sig[sig.length - 1] = sig[sig.length - 1]! ^ 0x01;
    await setBundle(id, '1.0.0', { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [{ ...bundle.dsseEnvelope.signatures[0]!, sig: sig.toString('base64') }] } });
    await refusedEverywhere(id, TRUST_CODES.signatureInvalid, 422);
  });

  it('a tampered payload (the signed statement edited): SIGNATURE_INVALID', async () => {
    const id = await template();
    const bundle = await bundleOf(id, '1.0.0');
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    statement.predicate = { ...statement.predicate, note: 'edited' };
    await setBundle(id, '1.0.0', { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') } });
    await refusedEverywhere(id, TRUST_CODES.signatureInvalid, 422);
  });

  it("a version signed by another publisher's key: KEY_OWNER_MISMATCH (unlike a mere \"signed\" badge)", async () => {
    const id = await template();
    const [v] = await s.sql<{ digest: string }[]>`select digest from workflow_version where definition_id = ${id}`;
    const forged = await signStatement(ring, { kind: 'publisher', id: 'globex' }, statementFor({ name: `${id}@1.0.0`, digest: v!.digest }, PREDICATE_TYPES.version, { note: 'forged' }));
    await setBundle(id, '1.0.0', forged);
    await refusedEverywhere(id, TRUST_CODES.keyOwnerMismatch, 422);
  });

  it('a version signed with the platform key: KEY_OWNER_MISMATCH', async () => {
    const id = await template();
    const [v] = await s.sql<{ digest: string }[]>`select digest from workflow_version where definition_id = ${id}`;
    await setBundle(id, '1.0.0', await signStatement(ring, PLATFORM_KEY_OWNER, statementFor({ name: `${id}@1.0.0`, digest: v!.digest }, PREDICATE_TYPES.version, {})));
    await refusedEverywhere(id, TRUST_CODES.keyOwnerMismatch, 422);
  });

  it("a key unknown to the trust roots (a bundle naming a key nobody published): KEY_UNTRUSTED", async () => {
    const id = await template();
    const bundle = await bundleOf(id, '1.0.0');
    const hint = 'maestro-publisher-acme-0000000000000000';
    await setBundle(id, '1.0.0', {
      ...bundle,
      verificationMaterial: { ...bundle.verificationMaterial, publicKey: { hint } },
      dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [{ ...bundle.dsseEnvelope.signatures[0]!, keyid: hint }] },
    });
    await refusedEverywhere(id, TRUST_CODES.keyUntrusted, 422);
  });

  it("the publisher's key outside the installing tenant's trusted publishers: KEY_UNTRUSTED", async () => {
    const id = await template();
    await s.sql`update tenant_setting set trusted_publishers = ${['initech']}::text[] where tenant_id = 'globex'`;
    try {
      await refusedEverywhere(id, TRUST_CODES.keyUntrusted, 422);
      // trusting acme again lets it install
      await s.sql`update tenant_setting set trusted_publishers = ${['acme']}::text[] where tenant_id = 'globex'`;
      await install(s, 'gus', { templateId: id, environment: 'dev' });
    } finally {
      await s.sql`update tenant_setting set trusted_publishers = null where tenant_id = 'globex'`;
    }
  });

  it("a replaced subject digest (another version's genuine signature): SUBJECT_DIGEST_MISMATCH", async () => {
    const name = `trust-replay-${s.suffix}`;
    const id = await template('1.0.0', name);
    await template('1.0.1', name);
    const other = await bundleOf(id, '1.0.1');
    await setBundle(id, '1.0.0', other);
    await refusedEverywhere(id, TRUST_CODES.subjectDigestMismatch, 422);
  });

  it("an edited history: the publish receipt's signed history digest is not the history Temporal keeps: HISTORY_DIGEST_MISMATCH", async () => {
    const id = await template();
    await forgePublishReceipt(id, '1.0.0', async (body) => ({ ...body, history: { ...body.history, digest: await editedHistoryDigest(body) } }));
    await refusedEverywhere(id, TRUST_CODES.historyDigestMismatch, 422);
  });

  it('a publish receipt whose shown body differs from what was signed: BUNDLE_MALFORMED', async () => {
    const id = await template();
    await s.sql`update provenance_receipt set body = jsonb_set(body, '{decisions}', '[]') where lifecycle = 'publish' and subject = ${`${id}@1.0.0`}`;
    await refusedEverywhere(id, TRUST_CODES.bundleMalformed, 422);
  });

  it("a publish receipt over another digest (the subject replaced, signed again): SUBJECT_DIGEST_MISMATCH", async () => {
    const id = await template();
    const other = `sha256:${'0'.repeat(64)}`;
    await forgePublishReceipt(id, '1.0.0', (body) => ({ ...body, subject: { ...body.subject, digest: other } }));
    await refusedEverywhere(id, TRUST_CODES.subjectDigestMismatch, 422);
  });

  it('a version without a publish receipt (published before receipts) installs, with a warning that says so', async () => {
    const id = await template();
    await s.sql`delete from provenance_receipt where lifecycle = 'publish' and subject = ${`${id}@1.0.0`}`;
    const check = await call<{ allow: boolean; trust: { verified: boolean; warnings: string[] } }>(s, 'gus', 'POST', `/templates/${id}/install-check`, { environment: 'dev' });
    expect(check.body.trust.verified).toBe(true);
    expect(check.body.trust.warnings).toEqual([expect.stringContaining('has no publish receipt')]);
    const instanceId = await install(s, 'gus', { templateId: id, environment: 'dev' });
    const [req] = await s.sql<{ warnings: string[] }[]>`select warnings from install_request where instance_id = ${instanceId} and kind = 'install'`;
    expect(req!.warnings).toEqual([expect.stringContaining('has no publish receipt')]);
  });

  it('an unsigned version: VERSION_UNSIGNED', async () => {
    const id = await template();
    await tamper(id, '1.0.0', (sql) => sql`update workflow_version set signature_bundle = null where definition_id = ${id}`);
    await refusedEverywhere(id, TRUST_CODES.unsigned, 422);
  });

  it("another tenant's marketplace version without a passed review: REVIEW_REQUIRED", async () => {
    const id = await template();
    // only an attacker who can drop the review check gets a marketplace version without a review
    await s.sql`alter table workflow_version drop constraint workflow_version_marketplace_reviewed`;
    try {
      await tamper(id, '1.0.0', (sql) => sql`update workflow_version set review_state = 'failed' where definition_id = ${id}`);
      await refusedEverywhere(id, TRUST_CODES.reviewRequired, 409);
    } finally {
      await s.sql`update workflow_version set review_state = 'passed' where definition_id = ${id}`;
      await s.sql`alter table workflow_version add constraint workflow_version_marketplace_reviewed check (visibility = 'internal-only' or review_state = 'passed')`;
    }
  });

  it('a tenant that requires certification: CERTIFICATION_REQUIRED until certified; overdue installs with a warning', async () => {
    const id = await publishTemplate(s, documentedSpec());
    await s.sql`update tenant_setting set require_certification = 'always' where tenant_id = 'globex'`;
    try {
      await refusedEverywhere(id, TRUST_CODES.certificationRequired, 409);
      // its own templates never need one
      const tina = await call(s, 'tina', 'POST', `/templates/${id}/install-check`, { environment: 'dev' });
      expect(tina.body).toMatchObject({ trust: { verified: true, certification: { required: false } } });

      const c = await certify(s, id, '1.0.0');
      expect(c.status).toBe('certified');
      await install(s, 'gus', { templateId: id, environment: 'dev' });

      // expired (its timer has not fired yet): overdue still installs, with the "review overdue" warning
      await s.sql`update certification set expires_at = now() - interval '1 second' where workflow_id = ${c.workflowId}`;
      const check = await call<{ trust: { warnings: string[]; certification: { status: string } } }>(s, 'gus', 'POST', `/templates/${id}/install-check`, { environment: 'staging' });
      expect(check.body.trust.certification.status).toBe('overdue');
      expect(check.body.trust.warnings).toEqual([`review overdue: the certification of ${id}@1.0.0 expired and awaits recertification`]);
      const instanceId = await install(s, 'gus', { templateId: id, environment: 'staging' });
      const view = await call<{ warnings: string[] }>(s, 'gus', 'GET', `/installs/${instanceId}`);
      expect(view.body.warnings).toEqual(check.body.trust.warnings);
    } finally {
      await s.sql`update tenant_setting set require_certification = 'off' where tenant_id = 'globex'`;
    }
  });
});

describe('upgrade verifies its target version the same way', () => {
  /** gus installs 1.0.0; pat publishes 1.0.1 (reviewed). Returns the instance. */
  async function installedWithUpdate() {
    const name = `trust-upgrade-${randomUUID().slice(0, 8)}`;
    const id = await template('1.0.0', name);
    const instanceId = await install(s, 'gus', { templateId: id, environment: 'dev' });
    await template('1.0.1', name);
    return { id, instanceId };
  }

  async function upgradeRefused(id: string, instanceId: string, code: string, apiStatus: number) {
    const before = await instanceRow(s, instanceId);
    const api = await call(s, 'gus', 'POST', `/instances/${instanceId}/upgrades`, { toVersion: '1.0.1' });
    expect([api.status, api.body.code], JSON.stringify(api.body)).toEqual([apiStatus, code]);
    const preview = await call(s, 'gus', 'POST', `/instances/${instanceId}/upgrade-check`, { toVersion: '1.0.1' });
    expect([preview.status, preview.body.code]).toEqual([apiStatus, code]);
    // past the API: the lifecycle's plan refuses
    await startLifecycleWith(s.client, s.config.TEMPORAL_TASK_QUEUE, upgradeLifecycle, { instanceId, tenantId: 'globex', templateId: id, toVersion: '1.0.1', requestedBy: gus });
    const view = await waitForUpgrade(s, 'gus', instanceId, '1.0.1');
    expect([view.status, view.error?.code], JSON.stringify(view.error)).toEqual(['failed', code]);
    expect(await instanceRow(s, instanceId)).toEqual(before);
  }

  it('a tampered target spec byte: DIGEST_MISMATCH, the instance stays on 1.0.0', async () => {
    const { id, instanceId } = await installedWithUpdate();
    await tamper(id, '1.0.1', (sql) => sql`update workflow_version set spec = jsonb_set(spec, '{metadata,description}', '"changed"') where definition_id = ${id} and version = '1.0.1'`);
    await upgradeRefused(id, instanceId, 'DIGEST_MISMATCH', 422);
  });

  it('a target signed by another key: KEY_OWNER_MISMATCH; a tampered signature: SIGNATURE_INVALID', async () => {
    const a = await installedWithUpdate();
    const [v] = await s.sql<{ digest: string }[]>`select digest from workflow_version where definition_id = ${a.id} and version = '1.0.1'`;
    await setBundle(a.id, '1.0.1', await signStatement(ring, { kind: 'publisher', id: 'globex' }, statementFor({ name: `${a.id}@1.0.1`, digest: v!.digest }, PREDICATE_TYPES.version, {})));
    await upgradeRefused(a.id, a.instanceId, TRUST_CODES.keyOwnerMismatch, 422);

    const b = await installedWithUpdate();
    const bundle = await bundleOf(b.id, '1.0.1');
    const sig = Buffer.from(bundle.dsseEnvelope.signatures[0]!.sig, 'base64');
    sig[10] = sig[10]! ^ 0x80;
    await setBundle(b.id, '1.0.1', { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [{ sig: sig.toString('base64'), keyid: bundle.dsseEnvelope.signatures[0]!.keyid ?? '' }] } });
    await upgradeRefused(b.id, b.instanceId, TRUST_CODES.signatureInvalid, 422);
  });

  it("the target's publish history edited: HISTORY_DIGEST_MISMATCH, the instance stays on 1.0.0", async () => {
    const { id, instanceId } = await installedWithUpdate();
    await forgePublishReceipt(id, '1.0.1', async (body) => ({ ...body, history: { ...body.history, digest: await editedHistoryDigest(body) } }));
    await upgradeRefused(id, instanceId, TRUST_CODES.historyDigestMismatch, 422);
  });

  it("the target's signature replaced by the installed version's: SUBJECT_DIGEST_MISMATCH", async () => {
    const { id, instanceId } = await installedWithUpdate();
    await setBundle(id, '1.0.1', await bundleOf(id, '1.0.0'));
    await upgradeRefused(id, instanceId, TRUST_CODES.subjectDigestMismatch, 422);
  });

  it('a target that requires certification: CERTIFICATION_REQUIRED', async () => {
    const { id, instanceId } = await installedWithUpdate();
    await s.sql`update tenant_setting set require_certification = 'always' where tenant_id = 'globex'`;
    try {
      await upgradeRefused(id, instanceId, TRUST_CODES.certificationRequired, 409);
    } finally {
      await s.sql`update tenant_setting set require_certification = 'off' where tenant_id = 'globex'`;
    }
  });
});
