import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';

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
  try {
    return parseUnchecked(text);
  } catch (e) {
    const message = e instanceof RangeError ? 'the document is nested too deeply' : ((e as Error).message ?? String(e)).split('\n')[0]!;
    return { error: { message: /alias/i.test(message) ? `${message} (at most ${MAX_ALIASES} aliases)` : message } };
  }
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
