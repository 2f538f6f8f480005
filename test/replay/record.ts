// Records one history per publish path into test/replay/histories/ (npm run record-histories).
// Run it after a deliberate, patched() change to the workflows and commit the new files.
import { writeFileSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { REPLAY_CODEC_KEYS } from './fixture-key.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack({ envOverrides: { CODEC_KEYS: REPLAY_CODEC_KEYS } });
});
afterAll(async () => s?.close());

const dir = new URL('./histories/', import.meta.url);
async function save(name: string, workflowId: string) {
  const json = historyToJSON(await s.client.workflow.getHandle(workflowId).fetchHistory());
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(JSON.parse(json), null, 1) + '\n');
}

it('records every publish path', async () => {
  const alice = s.as('alice');
  const run = async (name: string, risk: string, finish?: (id: string) => Promise<unknown>) => {
    const { body } = await alice.createDraft(testSpec({ name: `replay-${name}-${s.suffix}`, risk }));
    await alice.requestPublish(body.definitionId, '1.0.0');
    const status = await alice.waitForPublish(body.definitionId, '1.0.0', ['awaiting_approval', 'published', 'denied', 'invalid']);
    if (finish) {
      expect(status).toBe('awaiting_approval');
      await finish(body.definitionId);
    }
    const end = await alice.waitForPublish(body.definitionId, '1.0.0', ['published', 'rejected', 'denied', 'invalid']);
    await save(`publish-${name}`, `publish/${body.definitionId}/1.0.0`);
    return { id: body.definitionId, end };
  };
  const plain = await run('without-review', 'low');
  expect(plain.end).toBe('published');
  await save('draft', `draft/${plain.id}/1.0.0`);
  expect((await run('approved', 'medium', (id) => s.as('bob').decide(id, '1.0.0', 'approve', 'Recorded fixture approval.'))).end).toBe('published');
  expect((await run('rejected', 'high', (id) => s.as('bob').decide(id, '1.0.0', 'reject', 'Recorded fixture rejection.'))).end).toBe('rejected');
  expect((await run('denied', 'critical')).end).toBe('denied');
});
