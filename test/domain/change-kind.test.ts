import { describe, expect, it } from 'vitest';
import { bumpAgreement, CHANGE_LIMITS, CHANGE_RULES, classifyChange, type ChangeKind, type ChangeRule } from '../../domain/change-kind.ts';
import type { SpecV1 } from '../../domain/spec-types.ts';

/** The spec every row starts from: two parameters, a secret, a parallel group. */
function base(): SpecV1 {
  return {
    apiVersion: 'maestro.dev/v1',
    kind: 'Workflow',
    metadata: {
      name: 'onboard',
      version: '1.0.0',
      title: 'Onboard',
      description: 'Onboards someone',
      category: 'HR',
      risk: 'low',
      scope: 'tenant-local',
      tags: ['hr'],
      changelog: 'first',
    },
    parameters: {
      type: 'object',
      properties: {
        email: { type: 'string', maxLength: 100, description: 'who' },
        level: {
          type: 'string',
          enum: ['junior', 'senior'],
          default: 'junior',
        },
        count: { type: 'integer', minimum: 1, maximum: 10 },
        hook: { type: 'string', format: 'uri' },
        profile: {
          type: 'object',
          properties: { team: { type: 'string' } },
          required: [],
        },
      },
      required: ['email'],
    },
    secrets: [{ name: 'hr-token', description: 'HR API token' }],
    steps: [
      {
        id: 'shape',
        task: 'transform@1.2.3',
        with: { expression: 'email', data: { email: '${{ params.email }}' } },
      },
      {
        id: 'fanout',
        parallel: [
          {
            id: 'notify',
            task: 'http.request@2.0.0',
            with: { url: 'https://example.com' },
          },
        ],
      },
    ],
  };
}

type Edit = (s: SpecV1) => void;
const props = (s: SpecV1) => s.parameters!.properties!;

/** One row per rule (at least): the edit, the rule expected among the reasons, the resulting kind. */
const ROWS: {
  name: string;
  edit: Edit;
  from?: Edit;
  rule: ChangeRule;
  kind: ChangeKind;
  pointer?: string;
}[] = [
  // breaking
  {
    name: 'parameter removed',
    edit: (s) => delete props(s).count,
    rule: 'parameter-removed',
    kind: 'breaking',
    pointer: '/parameters/properties/count',
  },
  {
    name: 'parameter renamed (same schema under a new name)',
    edit: (s) => {
      props(s).amount = props(s).count!;
      delete props(s).count;
    },
    rule: 'parameter-renamed',
    kind: 'breaking',
    pointer: '/parameters/properties/amount',
  },
  {
    name: 'new required parameter without default',
    edit: (s) => {
      props(s).manager = { type: 'string' };
      s.parameters!.required = ['email', 'manager'];
    },
    rule: 'parameter-required',
    kind: 'breaking',
  },
  {
    name: 'optional parameter made required',
    edit: (s) => (s.parameters!.required = ['email', 'count']),
    rule: 'parameter-required',
    kind: 'breaking',
    pointer: '/parameters/required',
  },
  {
    name: 'default removed from a required parameter',
    edit: (s) => {
      delete props(s).level!.default;
    },
    from: (s) => {
      s.parameters!.required = ['email', 'level'];
    },
    rule: 'parameter-required',
    kind: 'breaking',
  },
  {
    name: 'nested property required',
    edit: (s) => {
      (props(s).profile as { required: string[] }).required = ['team'];
    },
    rule: 'parameter-required',
    kind: 'breaking',
  },
  {
    name: 'type widened to a union',
    edit: (s) => {
      props(s).email!.type = ['string', 'number'];
    },
    rule: 'type-widened',
    kind: 'non-breaking',
  },
  {
    name: 'type narrowed number→integer',
    edit: (s) => {
      props(s).count!.type = 'integer';
    },
    from: (s) => {
      props(s).count!.type = 'number';
    },
    rule: 'type-narrowed',
    kind: 'breaking',
  },
  {
    name: 'type narrowed string→integer',
    edit: (s) => {
      props(s).email = { ...props(s).email, type: 'integer' };
    },
    rule: 'type-narrowed',
    kind: 'breaking',
    pointer: '/parameters/properties/email/type',
  },
  {
    name: 'type added where any was allowed',
    edit: (s) => {
      props(s).note = { type: 'string' };
    },
    from: (s) => {
      props(s).note = {};
    },
    rule: 'type-narrowed',
    kind: 'breaking',
    pointer: '/parameters/properties/note/type',
  },
  {
    name: 'enum value removed',
    edit: (s) => {
      props(s).level!.enum = ['senior'];
    },
    rule: 'enum-value-removed',
    kind: 'breaking',
    pointer: '/parameters/properties/level/enum',
  },
  {
    name: 'enum introduced',
    edit: (s) => {
      props(s).email!.enum = ['a@b.c'];
    },
    rule: 'constraint-narrowed',
    kind: 'breaking',
  },
  {
    name: 'maxLength lowered',
    edit: (s) => {
      props(s).email!.maxLength = 50;
    },
    rule: 'constraint-narrowed',
    kind: 'breaking',
    pointer: '/parameters/properties/email/maxLength',
  },
  {
    name: 'minimum raised',
    edit: (s) => {
      props(s).count!.minimum = 2;
    },
    rule: 'constraint-narrowed',
    kind: 'breaking',
  },
  {
    name: 'pattern added',
    edit: (s) => {
      props(s).email!.pattern = '^.+@.+$';
    },
    rule: 'constraint-narrowed',
    kind: 'breaking',
  },
  {
    name: 'additionalProperties false added',
    edit: (s) => {
      s.parameters!.additionalProperties = false;
    },
    rule: 'constraint-narrowed',
    kind: 'breaking',
  },
  {
    name: 'unknown keyword changed',
    edit: (s) => {
      props(s).email!.oneOf = [{ maxLength: 3 }];
    },
    rule: 'schema-changed',
    kind: 'breaking',
  },
  {
    name: 'nested property removed',
    edit: (s) => {
      props(s).profile!.properties = {};
    },
    rule: 'parameter-removed',
    kind: 'breaking',
    pointer: '/parameters/properties/profile/properties/team',
  },
  {
    name: 'secret newly required',
    edit: (s) => s.secrets!.push({ name: 'slack' }),
    rule: 'secret-required',
    kind: 'breaking',
    pointer: '/secrets/1',
  },
  {
    name: 'new required endpoint',
    edit: (s) => {
      props(s).callback = { type: 'string', format: 'url' };
      s.parameters!.required = ['email', 'callback'];
    },
    rule: 'endpoint-required',
    kind: 'breaking',
    pointer: '/parameters/properties/callback',
  },
  {
    name: 'new endpoint with a default',
    edit: (s) => {
      props(s).callback = {
        type: 'string',
        format: 'uri',
        default: 'https://x.example',
      };
    },
    rule: 'endpoint-required',
    kind: 'breaking',
  },
  {
    name: 'existing parameter becomes an endpoint',
    edit: (s) => {
      props(s).email!.format = 'uri';
    },
    rule: 'endpoint-required',
    kind: 'breaking',
  },
  {
    name: 'task major raised',
    edit: (s) => {
      (s.steps[0] as { task: string }).task = 'transform@2.0.0';
    },
    rule: 'task-major-raised',
    kind: 'breaking',
    pointer: '/steps/0/task',
  },
  {
    name: 'task major lowered',
    edit: (s) => {
      (s.steps[1] as { parallel: { task: string }[] }).parallel[0]!.task = 'http.request@1.9.0';
    },
    rule: 'task-major-lowered',
    kind: 'breaking',
    pointer: '/steps/1/parallel/0/task',
  },
  {
    name: 'task replaced',
    edit: (s) => {
      (s.steps[0] as { task: string }).task = 'jq@1.2.3';
    },
    rule: 'task-replaced',
    kind: 'breaking',
  },
  {
    name: 'step removed = output removed',
    edit: (s) => s.steps.splice(0, 1),
    rule: 'output-removed',
    kind: 'breaking',
    pointer: '/steps/0',
  },
  {
    name: 'step inside a group removed',
    edit: (s) => {
      (s.steps[1] as { parallel: unknown[] }).parallel.splice(1, 1, {
        id: 'log',
        task: 'transform@1.2.3',
        with: { expression: '1', data: {} },
      });
    },
    from: (s) => {
      (s.steps[1] as { parallel: unknown[] }).parallel.push({
        id: 'gone',
        task: 'transform@1.2.3',
        with: { expression: '1', data: {} },
      });
    },
    rule: 'output-removed',
    kind: 'breaking',
    pointer: '/steps/1/parallel/1',
  },
  {
    name: 'step added inside a group',
    edit: (s) => {
      (s.steps[1] as { parallel: unknown[] }).parallel.push({
        id: 'log',
        task: 'transform@1.2.3',
        with: { expression: '1', data: {} },
      });
    },
    rule: 'step-added',
    kind: 'non-breaking',
    pointer: '/steps/1/parallel/1',
  },
  {
    name: 'task step becomes a group',
    edit: (s) => {
      s.steps[0] = {
        id: 'shape',
        parallel: [
          {
            id: 'x',
            task: 'transform@1.2.3',
            with: { expression: '1', data: {} },
          },
        ],
      };
    },
    rule: 'output-removed',
    kind: 'breaking',
  },
  {
    name: 'risk raised to high',
    edit: (s) => (s.metadata.risk = 'high'),
    rule: 'risk-raised',
    kind: 'breaking',
    pointer: '/metadata/risk',
  },
  {
    name: 'name changed',
    edit: (s) => (s.metadata.name = 'other'),
    rule: 'name-changed',
    kind: 'breaking',
  },
  // non-breaking
  {
    name: 'new optional parameter',
    edit: (s) => {
      props(s).note = { type: 'string' };
    },
    rule: 'parameter-added',
    kind: 'non-breaking',
    pointer: '/parameters/properties/note',
  },
  {
    name: 'new required parameter with default',
    edit: (s) => {
      props(s).note = { type: 'string', default: 'hi' };
      s.parameters!.required = ['email', 'note'];
    },
    rule: 'parameter-added',
    kind: 'non-breaking',
  },
  {
    name: 'new optional endpoint without default',
    edit: (s) => {
      props(s).callback = { type: 'string', format: 'uri' };
    },
    rule: 'parameter-added',
    kind: 'non-breaking',
  },
  {
    name: 'required parameter made optional',
    edit: (s) => (s.parameters!.required = []),
    rule: 'parameter-optional',
    kind: 'non-breaking',
    pointer: '/parameters/properties/email',
  },
  {
    name: 'required parameter gains a default',
    edit: (s) => {
      props(s).email!.default = 'x@y.z';
    },
    rule: 'parameter-optional',
    kind: 'non-breaking',
  },
  {
    name: 'default changed',
    edit: (s) => {
      props(s).level!.default = 'senior';
    },
    rule: 'default-changed',
    kind: 'non-breaking',
    pointer: '/parameters/properties/level/default',
  },
  {
    name: 'type widened integer→number',
    edit: (s) => {
      props(s).count!.type = 'number';
    },
    rule: 'type-widened',
    kind: 'non-breaking',
    pointer: '/parameters/properties/count/type',
  },
  {
    name: 'type removed (any)',
    edit: (s) => {
      delete props(s).email!.type;
    },
    rule: 'type-widened',
    kind: 'non-breaking',
  },
  {
    name: 'enum value added',
    edit: (s) => {
      props(s).level!.enum = ['junior', 'senior', 'lead'];
    },
    rule: 'enum-value-added',
    kind: 'non-breaking',
  },
  {
    name: 'maxLength loosened',
    edit: (s) => {
      props(s).email!.maxLength = 200;
    },
    rule: 'constraint-widened',
    kind: 'non-breaking',
  },
  {
    name: 'maximum removed',
    edit: (s) => {
      delete props(s).count!.maximum;
    },
    rule: 'constraint-widened',
    kind: 'non-breaking',
  },
  {
    name: 'format removed',
    edit: (s) => {
      delete props(s).hook!.format;
    },
    rule: 'constraint-widened',
    kind: 'non-breaking',
  },
  {
    name: 'secret removed',
    edit: (s) => (s.secrets = []),
    rule: 'secret-removed',
    kind: 'non-breaking',
    pointer: '/secrets/0',
  },
  {
    name: 'new step',
    edit: (s) =>
      s.steps.push({
        id: 'log',
        task: 'transform@1.0.0',
        with: { expression: '1', data: {} },
      }),
    rule: 'step-added',
    kind: 'non-breaking',
    pointer: '/steps/2',
  },
  {
    name: 'step with changed',
    edit: (s) => {
      (s.steps[0] as { with: Record<string, unknown> }).with.expression = 'email & "!"';
    },
    rule: 'step-changed',
    kind: 'non-breaking',
    pointer: '/steps/0/with',
  },
  {
    name: 'step when added',
    edit: (s) => {
      s.steps[0]!.when = 'params.count > 1';
    },
    rule: 'step-changed',
    kind: 'non-breaking',
    pointer: '/steps/0/when',
  },
  {
    name: 'step retry changed',
    edit: (s) => {
      (s.steps[0] as { retry?: object }).retry = { maximumAttempts: 3 };
    },
    rule: 'step-changed',
    kind: 'non-breaking',
  },
  {
    name: 'steps reordered',
    edit: (s) => s.steps.reverse(),
    rule: 'steps-reordered',
    kind: 'non-breaking',
    pointer: '/steps',
  },
  {
    name: 'task minor raised',
    edit: (s) => {
      (s.steps[0] as { task: string }).task = 'transform@1.3.0';
    },
    rule: 'task-minor-changed',
    kind: 'non-breaking',
  },
  {
    name: 'risk raised low→medium',
    edit: (s) => (s.metadata.risk = 'medium'),
    rule: 'risk-raised-minor',
    kind: 'non-breaking',
  },
  {
    name: 'scope changed',
    edit: (s) => (s.metadata.scope = 'global'),
    rule: 'scope-changed',
    kind: 'non-breaking',
  },
  // patch
  {
    name: 'description changed',
    edit: (s) => (s.metadata.description = 'Onboards a new hire'),
    rule: 'docs',
    kind: 'patch',
    pointer: '/metadata/description',
  },
  {
    name: 'title, tags, changelog changed',
    edit: (s) =>
      Object.assign(s.metadata, {
        title: 'Onboarding',
        tags: ['hr', 'people'],
        changelog: 'second',
      }),
    rule: 'docs',
    kind: 'patch',
  },
  {
    name: 'parameter description changed',
    edit: (s) => {
      props(s).email!.description = 'the new hire';
    },
    rule: 'docs',
    kind: 'patch',
    pointer: '/parameters/properties/email/description',
  },
  {
    name: 'secret description changed',
    edit: (s) => {
      s.secrets![0]!.description = 'token';
    },
    rule: 'docs',
    kind: 'patch',
    pointer: '/secrets/0/description',
  },
  {
    name: 'step name changed',
    edit: (s) => {
      s.steps[0]!.name = 'Shape it';
    },
    rule: 'docs',
    kind: 'patch',
    pointer: '/steps/0/name',
  },
  {
    name: 'task patch raised',
    edit: (s) => {
      (s.steps[0] as { task: string }).task = 'transform@1.2.4';
    },
    rule: 'task-patch-changed',
    kind: 'patch',
  },
  {
    name: 'upgrade block changed',
    edit: (s) => (s.upgrade = { smoke: { mode: 'dry-run' } }),
    rule: 'upgrade-changed',
    kind: 'patch',
    pointer: '/upgrade',
  },
];
// "risk lowered" needs a higher base: fixed up below
const riskLowered = {
  name: 'risk lowered high→medium',
  rule: 'risk-lowered' as ChangeRule,
  kind: 'patch' as ChangeKind,
};

function classify(edit: Edit, from: Edit = () => {}) {
  const prev = base();
  from(prev);
  const next = structuredClone(prev);
  next.metadata.version = '9.9.9';
  edit(next);
  return classifyChange(prev, next);
}

describe('classifyChange: one row per rule', () => {
  it.each(ROWS)('$name → $rule ($kind)', ({ edit, from, rule, kind, pointer }) => {
    const out = classify(edit, from);
    const hit = out.reasons.find((r) => r.rule === rule && (pointer === undefined || r.pointer === pointer));
    expect(hit, JSON.stringify(out.reasons)).toBeDefined();
    expect(hit!.kind).toBe(CHANGE_RULES[rule]);
    expect(hit!.message.length).toBeGreaterThan(0);
    expect(out.kind).toBe(kind);
  });

  it(`${riskLowered.name} → risk-lowered (patch)`, () => {
    const out = classify(
      (s) => (s.metadata.risk = 'medium'),
      (s) => (s.metadata.risk = 'high'),
    );
    expect(out).toEqual({
      kind: 'patch',
      reasons: [
        {
          rule: 'risk-lowered',
          kind: 'patch',
          pointer: '/metadata/risk',
          message: 'risk high → medium',
        },
      ],
    });
  });

  it('every rule of the table has at least one row (truncated has its own test)', () => {
    const covered = new Set<string>([...ROWS.map((r) => r.rule), riskLowered.rule, 'truncated']);
    expect(Object.keys(CHANGE_RULES).filter((r) => !covered.has(r))).toEqual([]);
  });
});

describe('classifyChange: combined and edge cases', () => {
  it('the same spec under a new version is a patch with no reasons', () => {
    expect(classify(() => {})).toEqual({ kind: 'patch', reasons: [] });
  });

  it('the kind is the most severe reason; reasons are listed most severe first', () => {
    const out = classify((s) => {
      s.metadata.description = 'changed';
      props(s).note = { type: 'string' };
      delete props(s).count;
    });
    expect(out.kind).toBe('breaking');
    expect(out.reasons.map((r) => r.rule)).toEqual(['parameter-removed', 'parameter-added', 'docs']);
  });

  it('a new step with a new secret: non-breaking step, breaking secret', () => {
    const out = classify((s) => {
      s.secrets!.push({ name: 'slack' });
      s.steps.push({
        id: 'tell',
        task: 'http.request@2.0.0',
        with: { headers: { a: '${{ secrets.slack }}' } },
      });
    });
    expect(out.kind).toBe('breaking');
    expect(out.reasons.map((r) => [r.rule, r.kind])).toEqual([
      ['secret-required', 'breaking'],
      ['step-added', 'non-breaking'],
    ]);
  });

  it('a widened and a narrowed constraint on one parameter: breaking', () => {
    const out = classify((s) => {
      props(s).count!.maximum = 100;
      props(s).count!.minimum = 5;
    });
    expect(out.kind).toBe('breaking');
    expect(out.reasons.map((r) => r.rule).sort()).toEqual(['constraint-narrowed', 'constraint-widened']);
  });

  it('specs without parameters or secrets compare', () => {
    const prev = base();
    delete prev.parameters;
    delete prev.secrets;
    const next = structuredClone(prev);
    next.parameters = { type: 'object', properties: { a: { type: 'string' } } };
    expect(classifyChange(prev, next).kind).toBe('non-breaking');
    expect(classifyChange(next, prev).reasons[0]).toMatchObject({
      rule: 'parameter-removed',
      pointer: '/parameters/properties/a',
    });
  });

  it('pointers escape ~ and / in parameter names', () => {
    const out = classify((s) => {
      props(s)['a/b~c'] = { type: 'string' };
    });
    expect(out.reasons[0]!.pointer).toBe('/parameters/properties/a~1b~0c');
  });

  it('is deterministic: key order does not matter', () => {
    const a = classify((s) => {
      props(s).z = { type: 'string' };
      props(s).a = { type: 'string' };
    });
    const b = classify((s) => {
      props(s).a = { type: 'string' };
      props(s).z = { type: 'string' };
    });
    expect(a).toEqual(b);
  });

  it('bounds nested schemas: deeper than the limit is compared whole (breaking when different)', () => {
    const deep = (leaf: Record<string, unknown>, n: number): Record<string, unknown> => (n === 0 ? leaf : { type: 'object', properties: { x: deep(leaf, n - 1) } });
    const same = classify(
      (s) => {
        props(s).tree = deep({ type: 'string' }, 40);
      },
      (s) => {
        props(s).tree = deep({ type: 'string' }, 40);
      },
    );
    expect(same.kind).toBe('patch');
    const out = classify(
      (s) => {
        props(s).tree = deep({ type: 'string', description: 'leaf' }, 40);
      },
      (s) => {
        props(s).tree = deep({ type: 'string' }, 40);
      },
    );
    expect(out.reasons).toEqual([expect.objectContaining({ rule: 'schema-changed', kind: 'breaking' })]);
    expect(out.reasons[0]!.pointer.split('/properties/x').length - 1).toBe(CHANGE_LIMITS.schemaDepth);
  });

  it('bounds the reasons: the last one counts the rest and keeps their kind', () => {
    const out = classify((s) => {
      for (let i = 0; i < 500; i++) props(s)[`p${String(i).padStart(3, '0')}`] = { type: 'string' };
      props(s).email!.type = 'integer';
    });
    expect(out.kind).toBe('breaking');
    expect(out.reasons).toHaveLength(CHANGE_LIMITS.reasons);
    expect(out.reasons[0]!.rule).toBe('type-narrowed');
    expect(out.reasons.at(-1)).toEqual({
      rule: 'truncated',
      kind: 'non-breaking',
      pointer: '',
      message: `${500 - CHANGE_LIMITS.reasons + 2} more reasons not listed`,
    });
  });

  it('messages never carry long values', () => {
    const out = classify((s) => {
      props(s).level!.enum = ['x'.repeat(5000)];
    });
    for (const r of out.reasons) expect(r.message.length).toBeLessThan(500);
  });
});

describe('bumpAgreement', () => {
  const TABLE: [string, string, ChangeKind, RegExp | undefined][] = [
    // breaking
    ['1.0.0', '2.0.0', 'breaking', undefined],
    ['1.4.2', '3.0.0', 'breaking', undefined],
    ['1.0.0', '1.1.0', 'breaking', /needs a new major version: at least 2\.0\.0, not 1\.1\.0/],
    ['1.0.0', '1.0.1', 'breaking', /at least 2\.0\.0/],
    ['0.3.1', '0.4.0', 'breaking', undefined], // 0.x: a minor suffices
    ['0.3.1', '1.0.0', 'breaking', undefined],
    ['0.3.1', '0.3.2', 'breaking', /new minor \(0\.x\) version: at least 0\.4\.0/],
    ['1.0.0', '2.0.0-rc.1', 'breaking', undefined],
    ['1.0.0', '1.1.0-rc.1', 'breaking', /at least 2\.0\.0/],
    ['2.0.0-rc.1', '2.0.0', 'breaking', undefined], // pre-releases of the same version promise nothing
    ['2.0.0-rc.1', '2.0.0-rc.2', 'breaking', undefined],
    // non-breaking
    ['1.0.0', '1.1.0', 'non-breaking', undefined],
    ['1.0.0', '2.0.0', 'non-breaking', undefined],
    ['1.0.0', '1.0.1', 'non-breaking', /at least a new minor version: 1\.1\.0, not 1\.0\.1/],
    ['0.3.1', '0.3.2', 'non-breaking', /0\.4\.0/],
    // patch
    ['1.0.0', '1.0.1', 'patch', undefined],
    ['1.0.0', '1.1.0', 'patch', undefined],
    ['1.0.0', '2.0.0', 'patch', undefined],
    ['1.0.0', '1.0.1+build.7', 'patch', undefined],
    // order and syntax
    ['1.0.0', '1.0.0', 'patch', /must be greater than the published 1\.0\.0/],
    ['1.2.0', '1.1.9', 'patch', /must be greater/],
    ['1.0.0', '1.0.0-rc.1', 'breaking', /must be greater/],
    ['1.0.0', '1.0.0+build.2', 'patch', /must be greater/],
    ['1.0.0', 'v2', 'breaking', /not a semantic version/],
    ['x', '1.0.0', 'patch', /not a semantic version/],
    ['99999999999999999999.0.0', '100000000000000000000.0.0', 'breaking', undefined],
  ];
  it.each(TABLE)('%s → %s (%s)', (prev, next, kind, refusal) => {
    const out = bumpAgreement(prev, next, kind);
    if (refusal) expect(out).toMatch(refusal);
    else expect(out).toBeUndefined();
  });
});
