import { A, createAsync, useAction } from '@solidjs/router';
import { createEffect, createMemo, createSignal, createUniqueId, For, on, onCleanup, Show, Suspense } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { Role } from '../../../domain/actor.ts';
import { ApiError } from '../data/api.ts';
import { definitionVersion } from '../data/definitions.ts';
import {
  checkInstall,
  INSTALL_LIMITS,
  REGION,
  requestInstall,
  type Environment,
  type InstallCheck,
  type InstallRequest,
  type InstallStarted,
  type TemplateDetail,
} from '../data/marketplace.ts';
import { errorMessage } from '../lib/format.ts';
import { collectParams, initialValue, paramFields, type ParamField as Field, type RawValue } from '../lib/param-fields.ts';
import { InstallPreview } from './install-preview.tsx';
import { createDryRun, deniedBy, DryRunPanel } from './dry-run-panel.tsx';
import { Loading } from './loading.tsx';
import { FormProblemAlert, type FormProblem } from './form-problem.tsx';
import { ParamField } from './param-field.tsx';
import { SecretPicker } from './secret-picker.tsx';
import { installHref } from './template-card.tsx';

/** Roles of a tenant that may be allowed to run an instance (platform roles are not the tenant's). */
const RUN_ROLES: Role[] = ['author', 'publisher', 'reviewer', 'tenant-admin'];
const CHECK_DEBOUNCE_MS = 350;

/**
 * The Install from Marketplace form, in the order an admin decides: version and where it
 * runs, parameters (defaults filled in), endpoints, secrets (pickers over the tenant's own),
 * policies and quotas. As answers change, the install policy is asked for a preview (what it
 * will require); Install starts the install lifecycle and hands over its instance id.
 */
export function InstallWizard(props: { template: TemplateDetail; ownSecrets: string[]; onInstalled: (started: InstallStarted) => void }) {
  const id = createUniqueId();
  const t = () => props.template;
  const install = useAction(requestInstall);

  const taken = (env: string) => t().myInstances.find((i) => i.environment === env && i.status !== 'uninstalled');
  const [version, setVersion] = createSignal(t().latestVersion);
  const [environment, setEnvironment] = createSignal<Environment | undefined>(t().environments.find((e) => !taken(e)));
  const [region, setRegion] = createSignal(t().regions[0] ?? '');
  const [values, setValues] = createStore<Record<string, RawValue>>({});
  const [fieldErrors, setFieldErrors] = createStore<Record<string, string | undefined>>({});
  const [secrets, setSecrets] = createStore<Record<string, string>>(
    Object.fromEntries(t().bindings.secrets.map((s) => [s.name, props.ownSecrets.includes(s.name) ? s.name : ''])),
  );
  const [runRoles, setRunRoles] = createSignal<Role[]>([]);
  const [approvalsPerRun, setApprovalsPerRun] = createSignal(0);
  const [maxConcurrent, setMaxConcurrent] = createSignal('');
  const [runsPerDay, setRunsPerDay] = createSignal('');
  const [problem, setProblem] = createSignal<FormProblem>();
  const [sending, setSending] = createSignal(false);
  let form: HTMLFormElement | undefined;

  const spec = createAsync(() => definitionVersion(t().definitionId, version()));
  const fields = createMemo(() => paramFields(spec()?.spec.parameters ?? {}));
  const endpointNames = () => new Set(t().bindings.parameters.filter((p) => p.endpoint).map((p) => p.name));
  const isEndpoint = (f: Field) => endpointNames().has(f.name) || f.kind === 'url';
  const plainFields = () => fields().filter((f) => !isEndpoint(f));
  const endpointFields = () => fields().filter(isEndpoint);
  const specSecrets = () => {
    const declared = spec()?.spec.secrets;
    return declared ?? t().bindings.secrets;
  };

  const quota = (raw: string, max: number): { value?: number; error?: string } => {
    if (!raw.trim()) return {};
    const n = Number(raw);
    return Number.isInteger(n) && n >= 1 && n <= max ? { value: n } : { error: `A whole number from 1 to ${max.toLocaleString()}.` };
  };

  /** The request the answers make, and what keeps it from being sent. */
  const built = createMemo(() => {
    const { params, errors } = collectParams(fields(), values);
    const bound = Object.fromEntries(specSecrets().flatMap((s) => (secrets[s.name] ? [[s.name, secrets[s.name]!]] : [])));
    const max = quota(maxConcurrent(), INSTALL_LIMITS.maxConcurrentRuns);
    const perDay = quota(runsPerDay(), INSTALL_LIMITS.runsPerDay);
    const env = environment();
    const req: InstallRequest | undefined = env
      ? {
          templateId: t().id,
          version: version(),
          environment: env,
          ...(region().trim() ? { region: region().trim() } : {}),
          parameters: params,
          secrets: bound,
          policies: { ...(runRoles().length ? { runRoles: runRoles() } : {}), approvalsPerRun: approvalsPerRun() },
          quotas: { ...(max.value ? { maxConcurrentRuns: max.value } : {}), ...(perDay.value ? { runsPerDay: perDay.value } : {}) },
        }
      : undefined;
    const problems: Record<string, string> = { ...errors };
    for (const s of specSecrets()) if (!secrets[s.name]) problems[`secret:${s.name}`] = 'Choose the secret of your tenant to bind.';
    if (max.error) problems['quota:maxConcurrentRuns'] = max.error;
    if (perDay.error) problems['quota:runsPerDay'] = perDay.error;
    if (region().trim() && !REGION.test(region().trim())) problems.region = 'A region such as eu-west-1.';
    if (!env) problems.environment = 'Choose an environment.';
    return { req, problems };
  });

  // the preview: asked again (debounced) whenever the request changes; older answers are dropped
  const [check, setCheck] = createSignal<InstallCheck>();
  const [checking, setChecking] = createSignal(false);
  const [checkError, setCheckError] = createSignal<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;
  onCleanup(() => {
    if (timer) clearTimeout(timer);
    inFlight?.abort();
  });
  createEffect(
    on(
      () => JSON.stringify(built().req ?? null),
      (json) => {
        if (timer) clearTimeout(timer);
        const req = JSON.parse(json) as InstallRequest | null;
        if (!req) return;
        setChecking(true);
        timer = setTimeout(() => {
          inFlight?.abort();
          const mine = (inFlight = new AbortController());
          checkInstall(req, mine.signal).then(
            (c) => {
              if (mine !== inFlight) return;
              setCheck(c);
              setCheckError(undefined);
              setChecking(false);
            },
            (e: unknown) => {
              if (mine !== inFlight || (e instanceof DOMException && e.name === 'AbortError')) return;
              setCheckError(`The preview failed: ${errorMessage(e)}`);
              setChecking(false);
            },
          );
        }, CHECK_DEBOUNCE_MS);
      },
    ),
  );

  // "what will happen if I do this?": the guardrails on the input the install lifecycle builds
  const policy = createDryRun(() => {
    const req = built().req;
    return req
      ? { operation: 'install', templateId: req.templateId, ...(req.version ? { version: req.version } : {}), environment: req.environment, ...(req.region ? { region: req.region } : {}), ...(req.parameters ? { parameters: req.parameters } : {}) }
      : undefined;
  });

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (sending() || deniedBy(policy.result())) return;
    setProblem(undefined);
    const { req, problems } = built();
    setFieldErrors(Object.fromEntries([...Object.keys(fieldErrors).map((k) => [k, undefined]), ...Object.entries(problems)]));
    if (Object.keys(problems).length || !req) {
      const first = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
      first?.focus();
      setProblem({ message: `${Object.keys(problems).length === 1 ? 'One answer needs' : `${Object.keys(problems).length} answers need`} attention before the install can start.`, details: [] });
      return;
    }
    setSending(true);
    try {
      props.onInstalled(await install(req));
    } catch (err) {
      setProblem({ message: errorMessage(err), ...(err instanceof ApiError ? { code: err.code, details: err.details ?? [] } : { details: [] }) });
    } finally {
      setSending(false);
    }
  };

  const err = (key: string) => fieldErrors[key];
  const clear = (key: string) => fieldErrors[key] && setFieldErrors(key, undefined);

  return (
    <form ref={form} class="install-wizard" data-testid="install-wizard" novalidate onSubmit={(e) => void submit(e)}>
      <div class="wizard-main">
        <fieldset class="card wizard-step">
          <legend>
            <span class="step-no">1</span> Version and where it runs
          </legend>
          <div class="field-grid">
            <div class="field">
              <label for={`${id}-version`} class="field-label">
                Version
              </label>
              <select id={`${id}-version`} onChange={(e) => setVersion(e.currentTarget.value)}>
                <For each={t().versions}>
                  {(v) => (
                    <option value={v.version} selected={v.version === version()}>
                      {v.version}
                      {v.version === t().latestVersion ? ' (latest)' : ''}
                    </option>
                  )}
                </For>
              </select>
            </div>
            <fieldset class="field radio-group" aria-invalid={err('environment') ? 'true' : undefined} data-testid="environment">
              <legend class="field-label">Environment</legend>
              <For each={t().environments}>
                {(env) => (
                  <label class="radio-row">
                    <input
                      type="radio"
                      name={`${id}-environment`}
                      value={env}
                      checked={environment() === env}
                      disabled={Boolean(taken(env))}
                      onChange={() => {
                        setEnvironment(env);
                        clear('environment');
                      }}
                    />
                    {env}
                    <Show when={taken(env)}>
                      {(i) => (
                        <span class="muted small">
                          {' '}
                          (installed: <A href={`/instances/${encodeURIComponent(i().id)}`}>{i().id}</A>)
                        </span>
                      )}
                    </Show>
                  </label>
                )}
              </For>
              <Show when={err('environment')}>
                <p class="field-error">{err('environment')}</p>
              </Show>
            </fieldset>
            <div class="field" classList={{ 'field-invalid': Boolean(err('region')) }}>
              <label for={`${id}-region`} class="field-label">
                Region
              </label>
              <Show
                when={t().regions.length}
                fallback={
                  <input
                    id={`${id}-region`}
                    value={region()}
                    placeholder="any (e.g. eu-west-1)"
                    autocomplete="off"
                    aria-invalid={err('region') ? 'true' : undefined}
                    onInput={(e) => {
                      setRegion(e.currentTarget.value);
                      clear('region');
                    }}
                  />
                }
              >
                <select id={`${id}-region`} onChange={(e) => setRegion(e.currentTarget.value)}>
                  <For each={t().regions}>
                    {(r) => (
                      <option value={r} selected={r === region()}>
                        {r}
                      </option>
                    )}
                  </For>
                </select>
              </Show>
              <Show when={err('region')}>
                <p class="field-error">{err('region')}</p>
              </Show>
            </div>
          </div>
        </fieldset>

        <Suspense fallback={<Loading label="Loading the version's parameters…" />}>
          <fieldset class="card wizard-step">
            <legend>
              <span class="step-no">2</span> Parameters
            </legend>
            <Show when={plainFields().length} fallback={<p class="muted">No parameters beyond the endpoints.</p>}>
              <p class="hint">The template's defaults are filled in; what you set here is the instance's, and runs start from it.</p>
              <div class="field-grid">
                <For each={plainFields()}>{(f) => <Param field={f} />}</For>
              </div>
            </Show>
          </fieldset>

          <fieldset class="card wizard-step">
            <legend>
              <span class="step-no">3</span> Endpoints
            </legend>
            <Show when={endpointFields().length} fallback={<p class="muted">This template calls no endpoint you bind.</p>}>
              <p class="hint">Checked against your tenant's egress allow-list (host and port). Runs cannot change them afterwards.</p>
              <div class="field-grid">
                <For each={endpointFields()}>{(f) => <Param field={f} />}</For>
              </div>
            </Show>
          </fieldset>

          <fieldset class="card wizard-step" data-testid="secret-bindings">
            <legend>
              <span class="step-no">4</span> Secrets
            </legend>
            <Show when={specSecrets().length} fallback={<p class="muted">This template needs no secrets.</p>}>
              <p class="hint">Each one the template declares is bound to a secret of your own tenant, by reference.</p>
              <div class="field-grid">
                <For each={specSecrets()}>
                  {(s) => (
                    <SecretPicker
                      idPrefix={id}
                      secret={s}
                      ownSecrets={props.ownSecrets}
                      value={secrets[s.name] ?? ''}
                      error={err(`secret:${s.name}`)}
                      returnTo={installHref(t().id)}
                      onChange={(name) => {
                        setSecrets(s.name, name);
                        clear(`secret:${s.name}`);
                      }}
                    />
                  )}
                </For>
              </div>
            </Show>
          </fieldset>
        </Suspense>

        <fieldset class="card wizard-step">
          <legend>
            <span class="step-no">5</span> Policies and quotas
          </legend>
          <div class="field-grid">
            <fieldset class="field checkbox-group">
              <legend class="field-label">Who may run it</legend>
              <For each={RUN_ROLES}>
                {(role) => (
                  <label class="radio-row">
                    <input
                      type="checkbox"
                      value={role}
                      checked={runRoles().includes(role)}
                      onChange={(e) => setRunRoles((rs) => (e.currentTarget.checked ? [...rs, role] : rs.filter((r) => r !== role)))}
                    />
                    {role}
                  </label>
                )}
              </For>
              <p class="hint">None checked: every member of your tenant.</p>
            </fieldset>
            <div class="field">
              <label for={`${id}-approvals`} class="field-label">
                Approvals per run
              </label>
              <select id={`${id}-approvals`} onChange={(e) => setApprovalsPerRun(Number(e.currentTarget.value))}>
                <For each={[0, 1, 2, 3]}>
                  {(n) => (
                    <option value={n} selected={approvalsPerRun() === n}>
                      {n === 0 ? 'none' : n}
                    </option>
                  )}
                </For>
              </select>
              <p class="hint">Tenant admins (never the run's starter) approve each run before its first step.</p>
            </div>
            <QuotaField
              id={`${id}-max`}
              label="Max concurrent runs"
              value={maxConcurrent()}
              error={err('quota:maxConcurrentRuns')}
              max={INSTALL_LIMITS.maxConcurrentRuns}
              onInput={(v) => {
                setMaxConcurrent(v);
                clear('quota:maxConcurrentRuns');
              }}
            />
            <QuotaField
              id={`${id}-per-day`}
              label="Runs per day"
              value={runsPerDay()}
              error={err('quota:runsPerDay')}
              max={INSTALL_LIMITS.runsPerDay}
              onInput={(v) => {
                setRunsPerDay(v);
                clear('quota:runsPerDay');
              }}
            />
          </div>
        </fieldset>
      </div>

      <aside class="wizard-side">
        <DryRunPanel result={policy.result()} checking={policy.checking()} error={policy.error()} action="install" />
        <InstallPreview check={check()} checking={checking()} error={checkError()} />
        <div class="card wizard-submit">
          <button
            type="submit"
            class="button primary"
            disabled={sending() || deniedBy(policy.result())}
            title={deniedBy(policy.result()) ? `Denied by ${policy.result()!.denying.join(', ')}` : undefined}
            data-testid="install-submit"
          >
            {sending() ? 'Starting the install…' : deniedBy(policy.result()) ? 'Install (denied by policy)' : 'Install'}
          </button>
          <A href={`/marketplace/${encodeURIComponent(t().id)}`} class="button">
            Cancel
          </A>
          <FormProblemAlert problem={problem()} testId="install-error" />
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
        onChange={(v) => {
          setValues(p.field.name, v);
          clear(p.field.name);
        }}
      />
    );
  }
}

function QuotaField(props: { id: string; label: string; value: string; error?: string | undefined; max: number; onInput: (v: string) => void }) {
  return (
    <div class="field" classList={{ 'field-invalid': Boolean(props.error) }}>
      <label for={props.id} class="field-label">
        {props.label}
      </label>
      <input
        id={props.id}
        type="number"
        inputmode="numeric"
        min={1}
        max={props.max}
        step={1}
        value={props.value}
        placeholder="no limit"
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <Show when={props.error}>
        <p id={`${props.id}-error`} class="field-error">
          {props.error}
        </p>
      </Show>
    </div>
  );
}
