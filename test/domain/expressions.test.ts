import { describe, expect, it } from 'vitest';
import { analyseExpression, evaluateCondition, evaluateStep, evaluateStepStatically, evaluateTransform, expressionsIn, resolveBindings } from '../../domain/expressions.ts';
import { validateSpec } from '../../domain/validate-spec.ts';
import { registryView } from '../../domain/manifest.ts';
import { loadBuiltinManifests } from '../../platform/registry.ts';

const recursion = '($f := function($n){ $f($n + 1) }; $f(0))';
const backtracking = '$contains(params.s, /^(a+)+$/)';

describe('engine expressions cannot run away on the shared worker', () => {
  it('refuses function definitions and regular expressions when evaluating', async () => {
    await expect(evaluateCondition(recursion, {})).rejects.toThrow(/function definition not allowed/);
    await expect(resolveBindings({ x: `\${{ ${backtracking} }}` }, { params: { s: 'aaaa' } })).rejects.toThrow(/regular expression not allowed/);
  });

  it('refuses $eval however it is reached, at validation and when evaluating', async () => {
    for (const expr of ['$eval(params.e)', '($e := $eval; $e(params.e))', '$map([params.e], $eval)', '$eval ~> $string']) {
      expect(analyseExpression(expr)).toEqual({ error: expect.objectContaining({ forbidden: true, message: expect.stringContaining('$eval') }) });
      await expect(resolveBindings(`\${{ ${expr} }}`, { params: { e: recursion } })).rejects.toMatchObject({ code: 'EXPRESSION_NOT_ALLOWED' });
    }
    await expect(evaluateTransform('$eval(e)', { e: '1 + 1' })).rejects.toMatchObject({ code: 'EXPRESSION_NOT_ALLOWED' });
  });

  it("bounds the sum of a step's inputs, not only each binding", async () => {
    const big = '${{ $pad("", 300000) }}';
    await expect(evaluateStep({ with: { a: big, b: big } }, {})).rejects.toMatchObject({ code: 'EXPRESSION_LIMIT', message: expect.stringContaining("step's inputs") });
    expect(await evaluateStep({ with: { a: big } }, {})).toMatchObject({ run: true });
  });

  it('finds templates by scanning: unclosed ones are text, each ends at its first }}', () => {
    expect(expressionsIn('${{'.repeat(50_000))).toEqual([]);
    expect(expressionsIn('a ${{ x }} b ${{ y }}}} ${{ z')).toEqual([
      { pointer: '', expr: 'x' },
      { pointer: '', expr: 'y' },
    ]);
  });

  it('bounds sequence sizes and the size of a value', async () => {
    await expect(resolveBindings({ x: '${{ $pad("", 2000000) }}' }, {})).rejects.toMatchObject({ code: 'EXPRESSION_LIMIT' });
    await expect(resolveBindings({ x: '${{ $count([1..100000]) }}' }, {})).rejects.toMatchObject({ code: 'EXPRESSION_LIMIT' });
    expect(await resolveBindings({ x: '${{ $count([1..100]) }}' }, {})).toEqual({ x: 100 });
  });

  it('reports them at validation, with their own code', () => {
    expect(analyseExpression(recursion)).toEqual({ error: expect.objectContaining({ forbidden: true }) });
    const registry = registryView(loadBuiltinManifests().map((manifest) => ({ manifest, status: 'active' as const })));
    const v = validateSpec(
      {
        apiVersion: 'maestro.dev/v1',
        kind: 'Workflow',
        metadata: { name: 'runaway', version: '1.0.0', description: 'd', category: 'Other', risk: 'low', scope: 'tenant-local' },
        parameters: { type: 'object', properties: { s: { type: 'string' } } },
        steps: [{ id: 'spin', when: recursion, task: 'transform@1.0.0', with: { expression: '1', data: `\${{ ${backtracking} }}` } }],
      },
      registry,
    );
    expect(v.errors.map((e) => [e.code, e.path])).toEqual([
      ['EXPRESSION_NOT_ALLOWED', '/steps/0/when'],
      ['EXPRESSION_NOT_ALLOWED', '/steps/0/with/data'],
    ]);
  });
});

describe('plain paths are read in the workflow, with the same answer as the sandbox', () => {
  const context = {
    params: { n: 1, s: 'x', o: { a: 1, b: { c: 'deep' } }, list: [1, 2], nul: null, empty: '', zero: 0 },
    steps: { one: { output: { result: 42 } } },
    secrets: { token: 'secret://acme/token' },
    run: { id: 'r1' },
  };
  const read = [
    { with: { v: '${{ params.n }}' } },
    { with: { v: 'a ${{ params.s }} b ${{ params.o }} c ${{ params.missing }}' } },
    { with: { v: '${{ params.o }}', w: ['${{ params.o.b.c }}', '${{ params.missing }}'], x: { y: '${{ params.missing }}' } } },
    { with: { v: ' ${{ steps.one.output.result }} ', t: '${{ secrets.token }}', r: '${{run.id}}' } },
    { with: { v: '${{ params.nul }}', z: '${{ params.zero }}' } },
    { when: 'params.empty', with: { v: 1 } },
    { when: 'params.zero' },
    { when: 'params.o', with: { v: '${{ params.n }}' } },
    { when: 'params.missing.deeper' },
  ];
  it.each(read)('reads %j without the sandbox', async (step) => {
    const statically = evaluateStepStatically(step, context);
    expect(statically).toBeDefined();
    expect(statically).toEqual(await evaluateStep(step, context));
  });

  const evaluated = [
    { with: { v: '${{ params.n + 1 }}' } },
    { with: { v: '${{ params.list }}' } },
    { with: { v: '${{ params.nul.x }}' } },
    { with: { v: '${{ $string(params.n) }}' } },
    { with: { v: '${{ params.in }}' } },
    { when: 'params.list' },
    { when: 'params.n = 1' },
    { with: { v: '${{ other.x }}' } },
  ];
  it.each(evaluated)('leaves %j to the sandbox', (step) => {
    expect(evaluateStepStatically(step, context)).toBeUndefined();
  });
});
