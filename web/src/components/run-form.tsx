import { revalidate } from '@solidjs/router';
import { createMemo, createSignal, createUniqueId, For, Show, type JSX } from 'solid-js';
import { createStore } from 'solid-js/store';
import { isPermitted } from '../../../domain/access.ts';
import type { Risk } from '../../../domain/spec.ts';
import { ApiError } from '../data/api.ts';
import { isHighRisk, startRun, type RunStarted } from '../data/definitions.ts';
import { freshReadiness, readiness as readinessQuery, type Readiness } from '../data/secrets.ts';
import { session } from '../data/session.ts';
import { errorMessage } from '../lib/format.ts';
import { collectParams, fieldOfDetail, initialValue, paramFields, type RawValue } from '../lib/param-fields.ts';
import { FormProblemAlert, type FormProblem } from './form-problem.tsx';
import { ParamField } from './param-field.tsx';
import { RiskWarning } from './risk-warning.tsx';
import { SecretsWarning } from './secrets-warning.tsx';

/**
 * The run form generated from a version's `parameters` schema. Required and malformed
 * fields are caught here first; whatever the server still refuses (422 PARAMS_INVALID,
 * `/params/<field>`) is shown beside the same fields. With the version's `readiness`, it
 * warns before start about secrets the tenant lacks, and does not start a run that would
 * fail for want of one.
 */
export function RunForm(props: {
  definitionId: string;
  version: string;
  parameters: unknown;
  risk: Risk;
  readiness?: Readiness | undefined;
  /** how the run starts (default: a direct run of the definition's version) */
  start?: (params: Record<string, unknown>) => Promise<RunStarted>;
  /** what the form runs, beside its button (default: the definition id and version) */
  subject?: JSX.Element;
  onStarted: (run: RunStarted) => void;
}) {
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
      if (!(await secretsReady())) return;
      props.onStarted(await (props.start ? props.start(params) : startRun(props.definitionId, props.version, params)));
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

  const missingSecrets = () => props.readiness?.secrets.filter((s) => !s.present) ?? [];
  /**
   * Asked again at the moment of start (the warning may be older than a secret stored since,
   * in another tab): still missing refuses here; an answer that cannot be had lets the
   * server decide.
   */
  async function secretsReady(): Promise<boolean> {
    if (!missingSecrets().length) return true;
    const now = await freshReadiness(props.definitionId, props.version).catch(() => undefined);
    if (!now || now.ready) {
      void revalidate(readinessQuery.keyFor(props.definitionId, props.version));
      return true;
    }
    const names = now.secrets.filter((s) => !s.present).map((s) => s.name);
    setProblem({ message: `store ${names.join(', ')} first: your tenant has no secret by ${names.length === 1 ? 'that name' : 'those names'}`, code: 'SECRET_NOT_FOUND', details: [] });
    document.getElementById(`${idPrefix}-secrets`)?.focus();
    return false;
  }
  const canWriteSecrets = () => {
    const actor = session.actor();
    return actor ? isPermitted(actor, 'secret.write') : false;
  };

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

      <Show when={props.readiness}>
        {(r) => <SecretsWarning readiness={r()} canWrite={canWriteSecrets()} tenant={session.actor()?.tenant ?? 'your tenant'} id={`${idPrefix}-secrets`} />}
      </Show>

      <Show when={isHighRisk(props.risk)}>
        <RiskWarning risk={props.risk} />
      </Show>

      <div class="form-actions">
        <button type="submit" class="button primary" disabled={sending()}>
          {sending() ? 'Starting…' : 'Run workflow'}
        </button>
        <span class="muted small">
          <Show when={props.subject} fallback={<>Runs <code>{props.definitionId}</code> v{props.version}</>}>
            {props.subject}
          </Show>
        </span>
        <span role="status" class="field-summary">
          <Show when={errorCount() > 0}>
            {errorCount() === 1 ? '1 field needs' : `${errorCount()} fields need`} attention.
          </Show>
        </span>
      </div>

      <FormProblemAlert problem={problem()} lead="The run was not started: " testId="run-form-error" />
    </form>
  );
}
