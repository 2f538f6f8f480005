import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureOf, openAdapters } from './support/adapters.ts';

let a: Awaited<ReturnType<typeof openAdapters>>;
beforeAll(async () => {
  a = await openAdapters();
});
afterAll(async () => a?.close());

const transform = (inputs: Record<string, unknown>) => a.run('transform@1.0.0', inputs);

describe('transform', () => {
  it('evaluates JSONata over data', async () => {
    const data = { people: [{ name: 'Ada', team: 'core' }, { name: 'Lin', team: 'web' }, { name: 'Bo', team: 'core' }] };
    expect(await transform({ expression: "people[team='core'].name", data })).toEqual({ result: ['Ada', 'Bo'] });
    expect(await transform({ expression: "{ 'count': $count(people), 'first': people[0].name }", data })).toEqual({ result: { count: 3, first: 'Ada' } });
  });

  it('yields null when the expression matches nothing', async () => {
    expect(await transform({ expression: 'missing.field', data: {} })).toEqual({ result: null });
  });

  it('fails an invalid expression without retry', async () => {
    const f = await failureOf(transform({ expression: 'people[', data: {} }));
    expect(f).toMatchObject({ type: 'TRANSFORM_EXPRESSION_INVALID', nonRetryable: true });
  });

  it('stops a runaway expression', async () => {
    const f = await failureOf(transform({ expression: '($f := function($n) { $f($n + 1) }; $f(0))', data: {} }));
    expect(f).toMatchObject({ type: 'TRANSFORM_FAILED', nonRetryable: true });
  });

  it('stops an expression that exhausts memory in one builtin call, and serves the next one', async () => {
    const f = await failureOf(transform({ expression: '$pad("", 500000000)', data: {} }));
    expect(f).toMatchObject({ type: 'TRANSFORM_FAILED', nonRetryable: true, message: expect.stringMatching(/exhausted its evaluator|ran longer|limit/) });
    expect(await transform({ expression: 'n + 1', data: { n: 1 } })).toEqual({ result: 2 });
  });

  it('refuses $eval, which would run code no check has seen', async () => {
    const f = await failureOf(transform({ expression: '$eval(code)', data: { code: '$contains(s, /^(a+)+$/)' } }));
    expect(f).toMatchObject({ type: 'TRANSFORM_EXPRESSION_INVALID', nonRetryable: true, message: expect.stringContaining('$eval not allowed') });
  });

  it('refuses regular expressions, whose backtracking no timeout can interrupt', async () => {
    const f = await failureOf(transform({ expression: '$contains(s, /^(a+)+$/)', data: { s: `${'a'.repeat(30)}!` } }));
    expect(f).toMatchObject({ type: 'TRANSFORM_EXPRESSION_INVALID', nonRetryable: true, message: expect.stringContaining('regular expression not allowed') });
  });
});
