import { createMemo, createSignal, Index } from 'solid-js';
import type { ValidationIssue } from '../data/specs.ts';

/** Must match `.code-editor` line-height and padding in styles.css. */
const LINE_PX = 20;

export interface CodeEditorApi {
  /** put the caret at a 1-based line and column and scroll it into view */
  goTo: (line: number, column?: number) => void;
}

interface LineMark {
  severity: 'error' | 'warning';
  messages: string[];
}

/**
 * A plain textarea with a line-numbered gutter: lines with validation issues get a marker
 * and a tinted background. The gutter is decoration (aria-hidden); the issue list beside
 * the editor is what assistive technology reads.
 */
export function CodeEditor(props: {
  value: string;
  onInput: (value: string) => void;
  issues: readonly ValidationIssue[];
  label: string;
  describedBy?: string;
  placeholder?: string;
  ref?: (api: CodeEditorApi) => void;
}) {
  let textarea: HTMLTextAreaElement | undefined;
  const [scrollTop, setScrollTop] = createSignal(0);
  const lines = createMemo(() => props.value.split(/\r\n|\r|\n/));
  const marks = createMemo(() => {
    const m = new Map<number, LineMark>();
    for (const i of props.issues) {
      if (i.line === undefined) continue;
      const mark = m.get(i.line) ?? { severity: i.severity, messages: [] };
      if (i.severity === 'error') mark.severity = 'error';
      mark.messages.push(`${i.code ? `${i.code}: ` : ''}${i.message}`);
      m.set(i.line, mark);
    }
    return m;
  });

  props.ref?.({
    goTo(line, column = 1) {
      if (!textarea) return;
      const all = textarea.value.split('\n');
      const target = Math.min(Math.max(line, 1), all.length);
      let offset = 0;
      for (let i = 0; i < target - 1; i++) offset += all[i]!.length + 1;
      offset += Math.min(Math.max(column - 1, 0), all[target - 1]!.length);
      textarea.focus();
      textarea.setSelectionRange(offset, offset);
      const y = (target - 1) * LINE_PX;
      if (y < textarea.scrollTop || y > textarea.scrollTop + textarea.clientHeight - 3 * LINE_PX) {
        textarea.scrollTop = Math.max(0, y - textarea.clientHeight / 3);
      }
    },
  });

  return (
    <div class="code-editor">
      <div class="gutter" aria-hidden="true">
        <div class="gutter-inner" style={{ transform: `translateY(${-scrollTop()}px)` }}>
          <Index each={lines()}>
            {(_, i) => {
              const mark = () => marks().get(i + 1);
              return (
                <div
                  class="gutter-line"
                  classList={{ 'has-error': mark()?.severity === 'error', 'has-warning': mark()?.severity === 'warning' }}
                  title={mark()?.messages.join('\n')}
                  data-testid={mark() ? 'line-marker' : undefined}
                  data-line={i + 1}
                  data-severity={mark()?.severity}
                >
                  <span class="marker">{mark() ? (mark()!.severity === 'error' ? '●' : '▲') : ''}</span>
                  <span class="line-number">{i + 1}</span>
                </div>
              );
            }}
          </Index>
        </div>
      </div>
      <div class="editor-body">
        <div class="backdrop" aria-hidden="true">
          <div style={{ transform: `translateY(${-scrollTop()}px)` }}>
            <Index each={lines()}>
              {(_, i) => (
                <div
                  class="backdrop-line"
                  classList={{ 'has-error': marks().get(i + 1)?.severity === 'error', 'has-warning': marks().get(i + 1)?.severity === 'warning' }}
                />
              )}
            </Index>
          </div>
        </div>
        <textarea
          ref={textarea}
          aria-label={props.label}
          aria-describedby={props.describedBy}
          placeholder={props.placeholder}
          wrap="off"
          spellcheck={false}
          autocomplete="off"
          autocapitalize="off"
          value={props.value}
          onInput={(e) => props.onInput(e.currentTarget.value)}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        />
      </div>
    </div>
  );
}
