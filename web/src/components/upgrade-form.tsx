import { A, useAction } from '@solidjs/router';
import { createEffect, createMemo, createSignal, createUniqueId, For, on, onCleanup, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { SpecV1 } from '../../../domain/spec-types.ts';
import { ApiError } from '../data/api.ts';
import type { InstanceView } from '../data/marketplace.ts';
import { checkUpgrade, requestUpgrade, type UpgradePlan, type UpgradeRequest, type UpgradeStarted } from '../data/upgrades.ts';
import { errorMessage } from '../lib/format.ts';
import { initialValue, paramFields, parseField, type ParamField as Field, type RawValue } from '../lib/param-fields.ts';
import { mayRequestUpgrade } from '../lib/upgrade-access.ts';
import { session } from '../data/session.ts';
import { FormProblemAlert, type FormProblem } from './form-problem.tsx';
import { Loading } from './loading.tsx';
import { ParamField } from './param-field.tsx';
import { SecretPicker } from './secret-picker.tsx';
import { UpgradePlanView, UpgradeSafeguards } from './upgrade-plan-view.tsx';
import { createDryRun, deniedBy, DryRunPanel } from './dry-run-panel.tsx';

const CHECK_DEBOUNCE_MS = 350;

/** Which supplied parameter a plan problem is about (`/parameters/<name>…`), if any. */
const problemField = (path: string) => /^\/(?:parameters|params)\/([^/]+)/.exec(path)?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * The upgrade plan and what must be supplied for it. The plan is asked for at once and
 * again (debounced) as the answers change; a field appears for every required binding the
 * plan finds missing (and stays while it is being answered). Start upgrade sends the same
 * request; a refusal is shown below the button.
 */
export function UpgradeForm(props: { instance: InstanceView; toVersion: string; spec: SpecV1; ownSecrets: string[]; onStarted: (s: UpgradeStarted) => void }) {
  const id = createUniqueId();
  const start = useAction(requestUpgrade);
  const [values, setValues] = createStore<Record<string, RawValue>>({});
  const [secrets, setSecrets] = createStore<Record<string, string>>({});
  const [askedParams, setAskedParams] = createSignal<string[]>([]);
  const [askedSecrets, setAskedSecrets] = createSignal<string[]>([]);
  const [plan, setPlan] = createSignal<UpgradePlan>();
  const [checking, setChecking] = createSignal(true);
  const [checkError, setCheckError] = createSignal<unknown>();
  const [problem, setProblem] = createSignal<FormProblem>();
  const [showErrors, setShowErrors] = createSignal(false);
  const [sending, setSending] = createSignal(false);
  let form: HTMLFormElement | undefined;

  const allFields = createMemo(() => paramFields(props.spec.parameters ?? {}));
  const fields = createMemo(() => allFields().filter((f) => askedParams().includes(f.name)));
  const declaredSecret = (name: string) => props.spec.secrets?.find((s) => s.name === name) ?? { name };

  /** The request the answers make (a field that does not parse yet is left out), and each field's problem. */
  const built = createMemo(() => {
    const parameters: Record<string, unknown> = {};
    const errors: Record<string, string> = {};
    for (const f of fields()) {
      const r = parseField(f, values[f.name] ?? initialValue(f));
      if (!r.ok) errors[f.name] = r.error;
      else if ('value' in r) parameters[f.name] = r.value;
    }
    const bound = Object.fromEntries(askedSecrets().flatMap((s) => (secrets[s] ? [[s, secrets[s]!]] : [])));
    for (const s of askedSecrets()) if (!secrets[s]) errors[`secret:${s}`] = 'Choose the secret of your tenant to bind.';
    for (const p of plan()?.problems ?? []) {
      const name = problemField(p.path);
      if (name && fields().some((f) => f.name === name) && !errors[name]) errors[name] = p.message;
    }
    const req: UpgradeRequest = {
      toVersion: props.toVersion,
      ...(Object.keys(parameters).length ? { parameters } : {}),
      ...(Object.keys(bound).length ? { secrets: bound } : {}),
    };
    return { req, errors };
  });
  const supplied = createMemo(() => new Set([...Object.keys(built().req.parameters ?? {}), ...Object.keys(built().req.secrets ?? {})]));
  // "what will happen if I do this?": the guardrails on the input the upgrade lifecycle builds
  const policy = createDryRun(() => ({
    operation: 'upgrade' as const,
    instanceId: props.instance.id,
    toVersion: props.toVersion,
    ...(built().req.parameters ? { parameters: built().req.parameters } : {}),
  }));

  // the plan: asked again (debounced) whenever the request changes; older answers are dropped
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;
  onCleanup(() => {
    if (timer) clearTimeout(timer);
    inFlight?.abort();
  });
  createEffect(
    on(
      () => JSON.stringify(built().req),
      (json, previous) => {
        if (timer) clearTimeout(timer);
        setChecking(true);
        const ask = () => {
          inFlight?.abort();
          const mine = (inFlight = new AbortController());
          checkUpgrade(props.instance.id, JSON.parse(json) as UpgradeRequest, mine.signal).then(
            (p) => {
              if (mine !== inFlight) return;
              setPlan(p);
              setAskedParams((a) => [...a, ...p.missing.parameters.filter((n) => !a.includes(n))]);
              setAskedSecrets((a) => [...a, ...p.missing.secrets.filter((n) => !a.includes(n))]);
              setCheckError(undefined);
              setChecking(false);
            },
            (e: unknown) => {
              if (mine !== inFlight || (e instanceof DOMException && e.name === 'AbortError')) return;
              setCheckError(e);
              setChecking(false);
            },
          );
        };
        // the first plan is asked at once; later ones once typing pauses
        if (previous === undefined) ask();
        else timer = setTimeout(ask, CHECK_DEBOUNCE_MS);
      },
    ),
  );

  const missingCount = () => {
    const p = plan();
    return p ? p.missing.parameters.length + p.missing.secrets.length : 0;
  };
  const ready = () => Boolean(plan() && !checking() && missingCount() === 0 && !plan()!.problems.length);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (sending()) return;
    if (deniedBy(policy.result())) return;
    setProblem(undefined);
    setShowErrors(true);
    const { req, errors } = built();
    const count = Object.keys(errors).length;
    if (count) {
      form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      setProblem({ message: `${count === 1 ? 'One answer needs' : `${count} answers need`} attention before the upgrade can start.`, details: [] });
      return;
    }
    setSending(true);
    try {
      props.onStarted(await start({ id: props.instance.id, ...req }));
    } catch (err) {
      setProblem({ message: errorMessage(err), ...(err instanceof ApiError ? { code: err.code, details: err.details ?? [] } : { details: [] }) });
    } finally {
      setSending(false);
    }
  };

  /** a field's own problem once Start was pressed; the plan's problem with a supplied value at once */
  const err = (key: string) => (showErrors() ? built().errors[key] : planErrors()[key]);
  const planErrors = createMemo(() => {
    const out: Record<string, string> = {};
    for (const p of plan()?.problems ?? []) {
      const name = problemField(p.path);
      if (name && supplied().has(name)) out[name] = p.message;
    }
    return out;
  });

  return (
    <form ref={form} class="upgrade-form" data-testid="upgrade-form" novalidate onSubmit={(e) => void submit(e)}>
      <div class="wizard-main">
        <Show when={askedParams().length || askedSecrets().length}>
          <fieldset class="card wizard-step" data-testid="upgrade-supply">
            <legend>What you must supply</legend>
            <p class="hint">
              Required by v{props.toVersion} and not provided by your instance's bindings, the version's migration or a default.
            </p>
            <div class="field-grid">
              <For each={fields()}>{(f) => <Param field={f} />}</For>
              <For each={askedSecrets()}>
                {(s) => (
                  <SecretPicker
                    idPrefix={id}
                    secret={declaredSecret(s)}
                    ownSecrets={props.ownSecrets}
                    value={secrets[s] ?? ''}
                    error={err(`secret:${s}`)}
                    returnTo={`/instances/${encodeURIComponent(props.instance.id)}/upgrade?to=${encodeURIComponent(props.toVersion)}`}
                    onChange={(name) => setSecrets(s, name)}
                  />
                )}
              </For>
            </div>
          </fieldset>
        </Show>
        <Show when={checkError()}>
          {(e) => (
            <p class="inline-error" role="alert" data-testid="plan-error">
              The plan could not be computed: {errorMessage(e())}
              <Show when={e() instanceof ApiError}>
                <code class="error-code">{(e() as ApiError).code}</code>
              </Show>
            </p>
          )}
        </Show>
        <Show when={plan()} fallback={<Show when={checking()}>{<Loading label="Planning the upgrade…" />}</Show>}>
          {(p) => <UpgradePlanView plan={p()} supplied={supplied()} />}
        </Show>
      </div>

      <aside class="wizard-side">
        <section class="card install-preview" aria-labelledby={`${id}-verdict`} aria-live="polite" aria-busy={checking()} data-testid="upgrade-verdict">
          <h2 id={`${id}-verdict`} class="section-title">
            The plan
          </h2>
          <Show when={plan()} fallback={<p class="muted">{checking() ? 'Planning…' : 'No plan yet.'}</p>}>
            {(p) => (
              <>
                <p class={`verdict verdict-${ready() ? 'ok' : 'todo'}`} data-testid="plan-verdict" data-ready={String(ready())}>
                  <span aria-hidden="true">{ready() ? '✓ ' : '… '}</span>
                  {checking()
                    ? 'Re-checking the plan…'
                    : ready()
                      ? 'Ready: every required binding is provided.'
                      : missingCount()
                        ? `${missingCount() === 1 ? 'One binding is' : `${missingCount()} bindings are`} still to supply.`
                        : 'The bindings do not fit the new version yet.'}
                </p>
                <Show when={missingCount()}>
                  <h3 class="preview-h">Still to supply</h3>
                  <ul class="preview-list" data-testid="plan-missing">
                    <For each={p().missing.parameters}>
                      {(n) => (
                        <li>
                          parameter <code>{n}</code>
                        </li>
                      )}
                    </For>
                    <For each={p().missing.secrets}>
                      {(n) => (
                        <li>
                          secret <code>{n}</code>
                        </li>
                      )}
                    </For>
                  </ul>
                </Show>
                <Show when={p().problems.length}>
                  <h3 class="preview-h">Binding problems</h3>
                  <ul class="preview-list" data-testid="plan-problems">
                    <For each={p().problems}>
                      {(d) => (
                        <li>
                          <code>{d.path || '/'}</code> {d.message}
                          <Show when={d.code}>{(code) => <code class="error-code">{code()}</code>}</Show>
                        </li>
                      )}
                    </For>
                  </ul>
                </Show>
                <h3 class="preview-h">After you start it</h3>
                <UpgradeSafeguards plan={p()} />
              </>
            )}
          </Show>
        </section>
        <DryRunPanel result={policy.result()} checking={policy.checking()} error={policy.error()} action="upgrade" />
        <div class="card wizard-submit">
          <Show
            when={mayRequestUpgrade(session.actor())}
            fallback={<p class="muted small">Only a tenant admin, author or publisher of your tenant can start an upgrade.</p>}
          >
            <button type="submit" class="button primary" disabled={sending() || deniedBy(policy.result())} data-testid="upgrade-submit">
              {sending() ? 'Starting the upgrade…' : deniedBy(policy.result()) ? 'Start upgrade (denied by policy)' : 'Start upgrade'}
            </button>
          </Show>
          <A href={`/instances/${encodeURIComponent(props.instance.id)}`} class="button">
            Cancel
          </A>
          <FormProblemAlert problem={problem()} testId="upgrade-error" />
        </div>
      </aside>
    </form>
  );

  function Param(p: { field: Field }) {
    return (
      <ParamField
        field={p.field}
        value={values[p.field.name] ?? initialValue(p.field)}
        error={err(p.field.name)}
        idPrefix={id}
        onChange={(v) => setValues(p.field.name, v)}
      />
    );
  }
}
