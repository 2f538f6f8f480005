import postgres from 'postgres';

export type Sql = postgres.Sql;

export function createSql(url: string, opts: { max?: number } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // jsonb columns come back as objects; timestamps as Date
    transform: { undefined: null },
    connection: { application_name: 'maestro' },
  });
}

/** Postgres error codes we translate into domain errors. */
export const PG = { uniqueViolation: '23505', foreignKeyViolation: '23503', checkViolation: '23514' } as const;

export function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
