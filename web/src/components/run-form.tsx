import { createMemo, createSignal, createUniqueId, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { Risk } from '../../../domain/spec.ts';
import { ApiError } from '../data/api.ts';
import { isHighRisk, startRun, type RunStarted } from '../data/definitions.ts';
import { errorMessage } from '../lib/format.ts';
import { collectParams, fieldOfDetail, initialValue, paramFields, type RawValue } from '../lib/param-fields.ts';
import { ParamField } from './param-field.tsx';
import { RiskWarning } from './risk-warning.tsx';

interface FormProblem {
  message: string;
  code?: string;
  details: { path: string; message: string }[];
}

/**
 * The run form generated from a version's `parameters` schema. Required and malformed
 * fields are caught here first; whatever the server still refuses (422 PARAMS_INVALID,
 * `/params/<field>`) is shown beside the same fields.
 */
export function RunForm(props: { definitionId: string; version: string; parameters: unknown; risk: Risk; onStarted: (run: RunStarted) => void }) {
  const idPrefix = createUniqueId();
  const fields = createMemo(() => paramFields(props.parameters));
  const [values, setValues] = createStore<Record<string, RawValue>>(Object.fromEntries(fields().map((f) => [f.name, initialValue(f)])));
  const [errors, setErrors] = createStore<Record<string, string | undefined>>({});
  const [problem, setProblem] = createSignal<FormProblem>();
  const [sending, setSending] = createSignal(false);
  let form: HTMLFormElement | undefined;

  const focusFirstInvalid = () => {
    const first = fields().find((f) => errors[f.name]);
    if (first) form?.querySelector<HTMLElement>(`[name="${CSS.escape(first.name)}"]`)?.focus();
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (sending()) return;
    setProblem(undefined);
    const { params, errors: found } = collectParams(fields(), values);
    setErrors(Object.fromEntries(fields().map((f) => [f.name, found[f.name]])));
    if (Object.keys(found).length) {
      focusFirstInvalid();
      return;
    }
    setSending(true);
    try {
      props.onStarted(await startRun(props.definitionId, props.version, params));
    } catch (err) {
      const names = fields().map((f) => f.name);
      const details = err instanceof ApiError ? (err.details ?? []) : [];
      const unplaced: FormProblem['details'] = [];
      const placed: Record<string, string> = {};
      for (const d of details) {
        const name = fieldOfDetail(d, names);
        if (name) placed[name] = placed[name] ? `${placed[name]}; ${d.message}` : d.message;
        else unplaced.push(d);
      }
      setErrors(placed);
      if (!Object.keys(placed).length || unplaced.length) {
        setProblem({ message: errorMessage(err), ...(err instanceof ApiError ? { code: err.code } : {}), details: unplaced });
      }
      focusFirstInvalid();
    } finally {
      setSending(false);
    }
  };

  const errorCount = () => fields().filter((f) => errors[f.name]).length;

  return (
    <form ref={form} class="run-form" data-testid="run-form" novalidate onSubmit={(e) => void submit(e)} aria-describedby={`${idPrefix}-req`}>
      <Show when={fields().length} fallback={<p class="muted">This workflow takes no parameters.</p>}>
        <p id={`${idPrefix}-req`} class="hint">
          Fields marked <span aria-hidden="true">*</span>
          <span class="visually-hidden">required</span> are required.
        </p>
        <div class="field-grid">
          <For each={fields()}>
            {(f) => (
              <ParamField
                field={f}
                value={values[f.name] ?? initialValue(f)}
                error={errors[f.name]}
                idPrefix={idPrefix}
                onChange={(v) => {
                  setValues(f.name, v);
                  if (errors[f.name]) setErrors(f.name, undefined);
                }}
              />
            )}
          </For>
        </div>
      </Show>

      <Show when={isHighRisk(props.risk)}>
        <RiskWarning risk={props.risk} />
      </Show>

      <div class="form-actions">
        <button type="submit" class="button primary" disabled={sending()}>
          {sending() ? 'Starting…' : 'Run workflow'}
        </button>
        <span class="muted small">
          Runs <code>{props.definitionId}</code> v{props.version}
        </span>
        <span role="status" class="field-summary">
          <Show when={errorCount() > 0}>
            {errorCount() === 1 ? '1 field needs' : `${errorCount()} fields need`} attention.
          </Show>
        </span>
      </div>

      <Show when={problem()}>
        {(p) => (
          <div class="inline-error form-error" role="alert" data-testid="run-form-error">
            <span>
              The run was not started: {p().message}
              <Show when={p().code}>{(code) => <code class="error-code">{code()}</code>}</Show>
            </span>
            <Show when={p().details.length}>
              <ul>
                <For each={p().details}>
                  {(d) => (
                    <li>
                      <code>{d.path || '/'}</code> {d.message}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </div>
        )}
      </Show>
    </form>
  );
}
