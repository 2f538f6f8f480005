import { describe, expect, it } from 'vitest';
import { collectParams, fieldOfDetail, initialValue, paramFields } from './param-fields.ts';

const parameters = {
  type: 'object',
  required: ['startDate', 'email'],
  properties: {
    department: { enum: ['engineering', 'sales'], default: 'sales', title: 'Department' },
    email: { type: 'string', format: 'email', title: 'Email', description: 'work address' },
    startDate: { type: 'string', format: 'date' },
    systems: { type: 'array', items: { type: 'string' }, default: ['github', 'okta'] },
    laptop: { type: 'boolean', default: true },
    seats: { type: 'integer', minimum: 1, maximum: 5 },
    site: { type: 'string', format: 'uri' },
  },
};

describe('run form fields from a parameters schema', () => {
  const fields = paramFields(parameters);

  it('puts required fields first (in `required` order) and picks an input per type and format', () => {
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['startDate', 'date', true],
      ['email', 'email', true],
      ['department', 'enum', false],
      ['systems', 'list', false],
      ['laptop', 'boolean', false],
      ['seats', 'integer', false],
      ['site', 'url', false],
    ]);
    expect(fields.find((f) => f.name === 'email')).toMatchObject({ label: 'Email', help: 'work address' });
  });

  it('prefills defaults the way each input shows them', () => {
    expect(Object.fromEntries(fields.map((f) => [f.name, initialValue(f)]))).toEqual({
      startDate: '',
      email: '',
      department: '1',
      systems: 'github, okta',
      laptop: true,
      seats: '',
      site: '',
    });
  });

  it('refuses empty required fields and malformed values, and types the rest', () => {
    const values = Object.fromEntries(fields.map((f) => [f.name, initialValue(f)]));
    expect(collectParams(fields, values).errors).toEqual({ startDate: 'This field is required.', email: 'This field is required.' });
    const filled = { ...values, startDate: '2026-12-01', email: 'not-an-email', seats: '9', site: 'nope' };
    expect(Object.keys(collectParams(fields, filled).errors)).toEqual(['email', 'seats', 'site']);
    const ok = collectParams(fields, { ...filled, email: 'a@b.example', seats: '2', site: 'https://x.example', systems: ' aws,, gcp ' });
    expect(ok).toEqual({
      errors: {},
      params: { startDate: '2026-12-01', email: 'a@b.example', department: 'sales', systems: ['aws', 'gcp'], laptop: true, seats: 2, site: 'https://x.example' },
    });
  });

  it('places server errors on their field: /params/<field>, or a missing required property', () => {
    const names = fields.map((f) => f.name);
    expect(fieldOfDetail({ path: '/params/seats', message: 'must be <= 5' }, names)).toBe('seats');
    expect(fieldOfDetail({ path: '/params/systems/0', message: 'must be string' }, names)).toBe('systems');
    expect(fieldOfDetail({ path: '/params', message: "must have required property 'email'" }, names)).toBe('email');
    expect(fieldOfDetail({ path: '/version', message: 'no such version' }, names)).toBeUndefined();
  });
});
