import { LineCounter, Parser, parseDocument, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';

export interface SourcePosition {
  line: number;
  column: number;
}

export interface ParsedSource {
  doc: unknown;
  /** line and column (1-based) of the value at a JSON Pointer, or of its nearest parent */
  locate(pointer: string): SourcePosition | undefined;
}

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

export const MAX_ALIASES = 100;

type SourceError = { error: { message: string; line?: number; column?: number } };

/**
 * Parses a spec or manifest written as YAML or JSON (JSON is YAML 1.2), keeping positions.
 * Hostile text fails as an error, never a throw: too many aliases (exponential expansion),
 * nesting deep enough to overflow the parser, tags that are not JSON.
 */
export function parseSource(text: string): ParsedSource | SourceError {
  // yaml's composer recurses: a deep document overflows the stack, and a second one can
  // abort the process from inside V8. Its lexer and parser do not recurse: measure first.
  if (cstDepthExceeds(text, MAX_SOURCE_DEPTH)) return { error: { message: `the document is nested more than ${MAX_SOURCE_DEPTH} levels deep` } };
  try {
    return parseUnchecked(text);
  } catch (e) {
    const message = e instanceof RangeError ? 'the document is nested too deeply' : ((e as Error).message ?? String(e)).split('\n')[0]!;
    return { error: { message: /alias/i.test(message) ? `${message} (at most ${MAX_ALIASES} aliases)` : message } };
  }
}

/** Nesting allowed in a source, as its syntax tree counts it (the JSON check after parsing is stricter). */
export const MAX_SOURCE_DEPTH = 128;

/** Whether the concrete syntax tree nests deeper than `limit`: iterative, it cannot overflow. */
function cstDepthExceeds(text: string, limit: number): boolean {
  for (const token of new Parser().parse(text)) {
    const stack: [unknown, number][] = [[token, 0]];
    while (stack.length) {
      const [node, depth] = stack.pop()!;
      if (!node || typeof node !== 'object') continue;
      if (depth > limit) return true;
      const n = node as { type?: string; items?: { key?: unknown; value?: unknown }[]; value?: unknown };
      for (const item of Array.isArray(n.items) ? n.items : []) {
        if (item?.key) stack.push([item.key, depth + 1]);
        if (item?.value) stack.push([item.value, depth + 1]);
      }
      if (n.value && typeof n.value === 'object') stack.push([n.value, n.type === 'document' ? depth : depth + 1]);
    }
  }
  return false;
}

function parseUnchecked(text: string): ParsedSource | SourceError {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length) {
    const e = document.errors[0]!;
    const pos = e.linePos?.[0];
    return { error: { message: e.message.split('\n')[0]!, ...(pos ? { line: pos.line, column: pos.col } : {}) } };
  }
  const position = (node: Node | null | undefined) => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  return {
    doc: document.toJS({ maxAliasCount: MAX_ALIASES }) as unknown,
    locate(pointer) {
      let node: unknown = document.contents;
      let found = position(node as Node);
      for (const raw of pointer.split('/').slice(1)) {
        const key = unescape(raw);
        let next: unknown;
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
          if (pair && isPair(pair)) {
            found = position(pair.key as Node) ?? found;
            next = pair.value;
          }
        } else if (isSeq(node)) next = node.items[Number(key)];
        if (next === undefined) break;
        node = next;
        found = position(node as Node) ?? found;
      }
      return found;
    },
  };
}
