import { describe, expect, it } from 'vitest';
import { runSchemaOf } from './instance-run.ts';

describe('runSchemaOf', () => {
  const schema = {
    type: 'object',
    required: ['employeeEmail', 'hrisUrl'],
    properties: {
      employeeEmail: { type: 'string', format: 'email' },
      department: { enum: ['engineering', 'sales'], default: 'engineering' },
      hrisUrl: { type: 'string', format: 'uri', default: 'https://hris.example.internal' },
    },
  };

  it('drops locked endpoints (and their requirement) and starts from the bound values', () => {
    const out = runSchemaOf(schema, { department: 'sales', hrisUrl: 'https://hris.globex.example.internal' }, ['hrisUrl']);
    expect(Object.keys(out.properties as object)).toEqual(['employeeEmail', 'department']);
    expect(out.required).toEqual(['employeeEmail']);
    expect((out.properties as Record<string, { default?: unknown }>).department!.default).toBe('sales');
    // the original schema is left as it was
    expect(schema.properties.department.default).toBe('engineering');
    expect(schema.required).toEqual(['employeeEmail', 'hrisUrl']);
  });

  it('answers an empty object schema for something that is not a schema', () => {
    expect(runSchemaOf(undefined, {}, [])).toEqual({ type: 'object', properties: {} });
  });
});
