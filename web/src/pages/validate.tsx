import { A } from '@solidjs/router';
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { CodeEditor, type CodeEditorApi } from '../components/code-editor.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { ValidationIssueList } from '../components/validation-issue-list.tsx';
import { validateSource, type ValidationResult } from '../data/specs.ts';
import { usePageTitle } from '../lib/page-title.ts';

const DEBOUNCE_MS = 400;
const DRAFT_KEY = 'maestro.validate.source';

const EXAMPLE = `apiVersion: maestro.dev/v1
kind: Workflow
metadata:
  name: access-request
  version: 1.0.0
  title: Access request
  description: Shape the request, ask a reviewer, then record the outcome.
  category: Security
  risk: medium
  scope: tenant-local
parameters:
  type: object
  required: [system, requester]
  properties:
    system: { type: string, title: System }
    requester: { type: string, format: email, title: Requester }
steps:
  - id: shape
    task: transform@1.0.0
    with:
      expression: "{ 'who': requester, 'what': system }"
      data: { requester: '\${{ params.requester }}', system: '\${{ params.system }}' }
  - id: signOff
    task: approval@1.0.0
    with:
      message: 'Grant \${{ params.requester }} access to \${{ params.system }}?'
      approvers: { roles: [reviewer] }
`;

function readDraft(): string {
  try {
    return sessionStorage.getItem(DRAFT_KEY) ?? '';
  } catch {
    return '';
  }
}

function saveDraft(text: string) {
  try {
    sessionStorage.setItem(DRAFT_KEY, text);
  } catch {
    // storage unavailable: the draft lives as long as the page
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function ValidatePage() {
  usePageTitle('Author');
  const [source, setSource] = createSignal(readDraft());
  const [result, setResult] = createSignal<{ for: string; value: ValidationResult }>();
  const [failure, setFailure] = createSignal<unknown>();
  const [pending, setPending] = createSignal(false);
  let editor: CodeEditorApi | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;

  const stop = () => {
    if (timer !== undefined) clearTimeout(timer);
    inFlight?.abort();
  };
  onCleanup(stop);

  const validate = async () => {
    stop();
    const text = source();
    if (!text.trim()) {
      setResult(undefined);
      setFailure(undefined);
      setPending(false);
      return;
    }
    const ctrl = new AbortController();
    inFlight = ctrl;
    setPending(true);
    try {
      const value = await validateSource(text, ctrl.signal);
      if (ctrl.signal.aborted) return;
      setResult({ for: text, value });
      setFailure(undefined);
    } catch (e) {
      if (ctrl.signal.aborted) return;
      setFailure(e);
    } finally {
      if (inFlight === ctrl) setPending(false);
    }
  };

  const edit = (text: string) => {
    setSource(text);
    saveDraft(text);
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void validate(), DEBOUNCE_MS);
  };

  if (source().trim()) void validate();

  const issues = () => (result() ? [...result()!.value.errors, ...result()!.value.warnings] : []);
  const stale = () => result() !== undefined && result()!.for !== source();

  return (
    <div class="validate">
      <div class="page-head">
        <h1>Author</h1>
        <p class="lede">
          Paste a workflow spec in YAML or JSON. It is checked as you type against the spec schema and the <A href="/tasks">Task Library</A>, the
          same checks a draft must pass.
        </p>
      </div>

      <div class="author-layout">
        <section class="card editor-card" aria-labelledby="source-title">
          <div class="editor-toolbar">
            <h2 id="source-title" class="section-title">
              Spec source
            </h2>
            <div class="toolbar-actions">
              <Show when={!source().trim()}>
                <button type="button" class="button small" onClick={() => edit(EXAMPLE)}>
                  Insert an example
                </button>
              </Show>
              <button type="button" class="button primary" onClick={() => void validate()} disabled={!source().trim()}>
                Validate
              </button>
            </div>
          </div>
          <CodeEditor
            value={source()}
            onInput={edit}
            issues={stale() ? [] : issues()}
            label="Spec source (YAML or JSON)"
            describedBy="source-hint"
            placeholder={'apiVersion: maestro.dev/v1\nkind: Workflow\n…'}
            ref={(api) => (editor = api)}
          />
          <p id="source-hint" class="hint editor-hint">
            Validated {DEBOUNCE_MS} ms after you stop typing. Lines with problems are marked in the gutter.
          </p>
        </section>

        <section class="card results-card" aria-labelledby="result-title" aria-busy={pending()}>
          <h2 id="result-title" class="section-title">
            Result
          </h2>
          <div role="status" aria-live="polite" class="validation-summary" data-testid="validation-summary">
            <Show when={source().trim()} fallback={<p class="muted">Nothing to validate yet.</p>}>
              <Show when={pending() || stale()}>
                <p class="muted">
                  <span class="spinner inline" aria-hidden="true" /> Validating…
                </p>
              </Show>
              <Show when={!pending() && !stale() && !failure() && result()}>
                {(r) => (
                  <Show
                    when={r().value.valid}
                    fallback={
                      <p class="summary summary-invalid" data-valid="false">
                        <strong>Not valid:</strong> {plural(r().value.errors.length, 'error')}
                        <Show when={r().value.warnings.length}>, {plural(r().value.warnings.length, 'warning')}</Show>.
                      </p>
                    }
                  >
                    <p class="summary summary-valid" data-valid="true">
                      <strong>Valid.</strong>{' '}
                      <Show when={r().value.warnings.length} fallback="No problems found.">
                        {plural(r().value.warnings.length, 'warning')} to look at.
                      </Show>
                    </p>
                  </Show>
                )}
              </Show>
            </Show>
          </div>

          <Show when={failure()}>{(e) => <ErrorPanel error={e()} retry={() => void validate()} />}</Show>

          <Show when={!failure() && result() && source().trim()}>
            <div classList={{ stale: stale() }}>
              <Show when={issues().length}>
                <ValidationIssueList issues={issues()} onGoTo={(i) => i.line !== undefined && editor?.goTo(i.line, i.column)} />
              </Show>
              <Show when={result()!.value.taskRefs.length}>
                <div class="task-refs">
                  <h3>Tasks used</h3>
                  <ul class="roles">
                    <For each={result()!.value.taskRefs}>
                      {(ref) => {
                        const at = ref.lastIndexOf('@');
                        const name = at > 0 ? ref.slice(0, at) : ref;
                        return (
                          <li>
                            <A class="chip chip-link" href={`/tasks/${encodeURIComponent(name)}${at > 0 ? `?version=${encodeURIComponent(ref.slice(at + 1))}` : ''}`}>
                              {ref}
                            </A>
                          </li>
                        );
                      }}
                    </For>
                  </ul>
                </div>
              </Show>
            </div>
          </Show>
        </section>
      </div>
    </div>
  );
}
