import { describe, expect, it } from 'vitest';
import { schemaRows, typeLabel } from './schema-rows.ts';

describe('schema rows for the Task Library', () => {
  it('lists fields with type, required, default, enum and description; nested objects indented', () => {
    const rows = schemaRows({
      type: 'object',
      required: ['message'],
      properties: {
        count: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        approvers: { type: 'object', properties: { roles: { type: 'array', items: { type: 'string' } } } },
        message: { type: 'string', minLength: 1, description: 'what to ask' },
        method: { enum: ['GET', 'POST'], default: 'GET' },
      },
    });
    expect(rows.map((r) => [r.path, r.depth, r.type, r.required])).toEqual([
      ['message', 0, 'string', true],
      ['count', 0, 'integer', false],
      ['approvers', 0, 'object', false],
      ['approvers.roles', 1, 'array of string', false],
      ['method', 0, 'string', false],
    ]);
    expect(rows[0]).toMatchObject({ description: 'what to ask', constraints: ['≥ 1 chars'] });
    expect(rows[1]).toMatchObject({ default: 1, constraints: ['1–10'] });
    expect(rows[4]).toMatchObject({ enum: ['GET', 'POST'], default: 'GET' });
  });

  it('names types readably', () => {
    expect(typeLabel({ type: 'string', format: 'uri' })).toBe('string (uri)');
    expect(typeLabel({ type: 'object', additionalProperties: { type: 'string' } })).toBe('map of string');
    expect(typeLabel({ description: 'anything' })).toBe('any');
    expect(typeLabel({ type: ['string', 'null'] })).toBe('string | null');
  });
});
