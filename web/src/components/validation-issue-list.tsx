import { For, Show } from 'solid-js';
import type { ValidationIssue } from '../data/specs.ts';

const byPosition = (a: ValidationIssue, b: ValidationIssue) =>
  (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) || (a.column ?? 0) - (b.column ?? 0) || (a.severity === 'error' ? -1 : 1);

/** Errors and warnings in source order; the line:column button moves the caret there. */
export function ValidationIssueList(props: { issues: readonly ValidationIssue[]; onGoTo?: (issue: ValidationIssue) => void }) {
  const sorted = () => [...props.issues].sort(byPosition);
  return (
    <ol class="issue-list">
      <For each={sorted()}>
        {(i) => (
          <li class={`issue issue-${i.severity}`} data-testid="validation-issue" data-code={i.code ?? ''} data-severity={i.severity} data-line={i.line}>
            <span class="issue-icon" aria-hidden="true">
              {i.severity === 'error' ? '●' : '▲'}
            </span>
            <div class="issue-body">
              <div class="issue-head">
                <span class="visually-hidden">{i.severity === 'error' ? 'Error' : 'Warning'}: </span>
                <code class="issue-code">{i.code ?? i.severity.toUpperCase()}</code>
                <Show when={i.line !== undefined} fallback={<span class="muted small">no position</span>}>
                  <button type="button" class="linkish issue-pos" onClick={() => props.onGoTo?.(i)}>
                    <span class="visually-hidden">Go to line </span>
                    {i.line}:{i.column ?? 1}
                  </button>
                </Show>
                <code class="issue-path">{i.path || '/'}</code>
              </div>
              <p class="issue-message">{i.message}</p>
            </div>
          </li>
        )}
      </For>
    </ol>
  );
}
