import { afterAll, describe, expect, it } from 'vitest';
import { ExpressionSandbox } from '../../platform/expression-sandbox.ts';

// The evaluator processes themselves: each limit ends only the evaluation that reached it.
const sandbox = new ExpressionSandbox({ size: 2, memoryMb: 64 });
afterAll(() => sandbox.close());

const step = (binding: string, params: Record<string, unknown> = {}) => ({ op: 'step' as const, with: { x: binding }, context: { params } });

describe('expression sandbox', () => {
  it('evaluates bindings and conditions', async () => {
    expect(await sandbox.run(step('${{ params.n * 2 }}', { n: 21 }), 5_000)).toEqual({ ok: true, value: { run: true, inputs: { x: 42 } } });
    expect(await sandbox.run({ op: 'step', when: 'params.n > 100', with: { x: 1 }, context: { params: { n: 1 } } }, 5_000)).toEqual({ ok: true, value: { run: false } });
  });

  it('kills an evaluator that runs past its time; evaluations beside it are served', async () => {
    const slow = { op: 'transform' as const, expression: '($f := function($n){ $n > 0 ? $f($n - 1) : 0 }; [1..5000].$f(200))', data: {} };
    const killedBefore = sandbox.killed;
    const [timedOut, ...others] = await Promise.all([sandbox.run(slow, 100), ...Array.from({ length: 20 }, (_, i) => sandbox.run(step('${{ params.i }}', { i }), 5_000))]);
    expect(timedOut).toEqual({ ok: false, code: 'EXPRESSION_LIMIT', message: 'the expression ran longer than 100 ms' });
    expect(others.map((o) => (o.ok ? (o.value as { inputs: { x: number } }).inputs.x : o))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(sandbox.killed).toBe(killedBefore + 1);
  });

  it('an evaluator that runs out of memory ends alone', async () => {
    const [bomb, fine] = await Promise.all([
      sandbox.run({ op: 'transform', expression: '$pad("", 400000000)', data: {} }, 10_000),
      sandbox.run(step('${{ "ok" }}'), 10_000),
    ]);
    expect(bomb).toMatchObject({ ok: false, code: 'EXPRESSION_LIMIT' });
    expect(fine).toEqual({ ok: true, value: { run: true, inputs: { x: 'ok' } } });
    expect(await sandbox.run(step('${{ 1 + 1 }}'), 5_000)).toMatchObject({ ok: true });
  });

  it('refuses $eval and function definitions in engine expressions, even when a spec check was bypassed', async () => {
    const recursion = '($f := function($n){ $f($n + 1) }; $f(0))';
    expect(await sandbox.run(step('${{ $eval(params.e) }}', { e: recursion }), 5_000)).toMatchObject({ ok: false, code: 'EXPRESSION_NOT_ALLOWED' });
    expect(await sandbox.run(step(`\${{ ${recursion} }}`), 5_000)).toMatchObject({ ok: false, code: 'EXPRESSION_NOT_ALLOWED' });
  });

  it('bounds the size of a value it returns', async () => {
    expect(await sandbox.run({ op: 'transform', expression: '$pad("", 3000000)', data: {} }, 10_000)).toMatchObject({ ok: false, code: 'EXPRESSION_LIMIT' });
  });

  it('tenants take turns: one flooding the queue does not hold back another', async () => {
    const fair = new ExpressionSandbox({ size: 1 });
    try {
      const order: string[] = [];
      const job = (tenant: string, i: number) => fair.run(step(`\${{ "${tenant}${i}" }}`), 5_000, tenant).then(() => order.push(`${tenant}${i}`));
      await Promise.all([...Array.from({ length: 6 }, (_, i) => job('flood', i)), job('other', 0), job('other', 1)]);
      // flood0 was already running; then the two tenants alternate: the other tenant does not wait for all six
      expect(order.slice(0, 5)).toEqual(['flood0', 'flood1', 'other0', 'flood2', 'other1']);
    } finally {
      await fair.close();
    }
  });

  it('a tenant over its share of the queue is refused; another tenant is still served', async () => {
    const small = new ExpressionSandbox({ size: 1, maxQueue: 8, maxQueuePerTenant: 2 });
    try {
      const slow = { op: 'transform' as const, expression: '($f := function($n){ $n > 0 ? $f($n - 1) : 0 }; [1..2000].$f(100))', data: {} };
      const flood = Array.from({ length: 4 }, () => small.run(slow, 300, 'flood').then((o) => o, (e: Error) => e.message));
      const other = small.run(step('${{ 1 + 1 }}'), 5_000, 'other');
      const outcomes = await Promise.all(flood);
      // one running, two waiting, the fourth refused for this tenant alone
      expect(outcomes.filter((o) => typeof o === 'string' && o.includes('of this tenant'))).toHaveLength(1);
      expect(await other).toEqual({ ok: true, value: { run: true, inputs: { x: 2 } } });
    } finally {
      await small.close();
    }
  });

  it('refuses work once closed', async () => {
    const closing = new ExpressionSandbox({ size: 1 });
    await closing.run(step('${{ 1 }}'), 5_000);
    await closing.close();
    await expect(closing.run(step('${{ 1 }}'), 5_000)).rejects.toThrow(/closed/);
  });
});
