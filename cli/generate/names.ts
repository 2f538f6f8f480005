// Names of generated types and example step ids.

export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

const words = (s: string) => s.split(/[^A-Za-z0-9]+/).filter(Boolean);
export const pascalCase = (s: string) => words(s).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
export const camelCase = (s: string) => {
  const p = pascalCase(s);
  return p[0]!.toLowerCase() + p.slice(1);
};
