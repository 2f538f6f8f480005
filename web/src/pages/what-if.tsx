import { createAsync, useSearchParams } from '@solidjs/router';
import { createMemo, createSignal, createUniqueId, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { RISKS, type Risk } from '../../../domain/spec.ts';
import { ENVIRONMENTS, REGION, type Environment } from '../../../domain/marketplace.ts';
import { VISIBILITY_PROFILES } from '../../../domain/access.ts';
import { POLICY_OPERATIONS } from '../../../domain/policy-profiles.ts';
import { createDryRun, DryRunPanel } from '../components/dry-run-panel.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { instances, templates } from '../data/marketplace.ts';
import { policyRules, type AssumedSettings, type DryRunRequest, type PolicyOperation } from '../data/policy.ts';
import { usePageTitle } from '../lib/page-title.ts';

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A JSON object typed in a textarea: the object, or the reason it is not one. */
function parseObject(text: string): { value?: Record<string, unknown>; error?: string } {
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? { value: v as Record<string, unknown> } : { error: 'A JSON object, e.g. {"endpoint": "https://…"}.' };
  } catch {
    return { error: 'Not valid JSON.' };
  }
}

/**
 * What-if: pick an operation, edit its inputs and (hypothetically) the tenant's guardrail
 * settings, and watch the policy's decision change — POST /policy/dry-run on every edit,
 * nothing stored. Below, the rule catalog from the rules' METADATA.
 */
export function WhatIfPage() {
  usePageTitle('Policy what-if');
  const id = createUniqueId();
  const [search] = useSearchParams();
  const [operation, setOperation] = createSignal<PolicyOperation>((POLICY_OPERATIONS as readonly string[]).includes(first(search.operation)) ? (first(search.operation) as PolicyOperation) : 'install');
  const [templateId, setTemplateId] = createSignal(first(search.templateId) || first(search.definitionId));
  const [version, setVersion] = createSignal(first(search.version));
  const [environment, setEnvironment] = createSignal<Environment>((ENVIRONMENTS as readonly string[]).includes(first(search.environment)) ? (first(search.environment) as Environment) : 'prod');
  const [region, setRegion] = createSignal('');
  const [visibility, setVisibility] = createSignal<string>('');
  const [instanceId, setInstanceId] = createSignal(first(search.instanceId));
  const [paramsText, setParamsText] = createSignal('');
  const [assume, setAssume] = createSignal(false);
  const [maxRisk, setMaxRisk] = createSignal<'' | 'none' | Risk>('');
  const [tenantRegion, setTenantRegion] = createSignal('');
  const [quota, setQuota] = createSignal('');
  const [egress, setEgress] = createSignal('');
  const [hoursOn, setHoursOn] = createSignal(false);
  const [days, setDays] = createSignal<string[]>(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']);
  const [startHour, setStartHour] = createSignal(9);
  const [endHour, setEndHour] = createSignal(17);
  const [timezone, setTimezone] = createSignal('UTC');
  const [regionsText, setRegionsText] = createSignal('');

  const market = createAsync(() => templates({ view: 'marketplace' }).catch(() => ({ items: [], found: 0 })));
  const mine = createAsync(() => instances().catch(() => ({ items: [] })));

  const built = createMemo((): { req?: DryRunRequest; problems: Record<string, string> } => {
    const problems: Record<string, string> = {};
    const params = parseObject(paramsText());
    if (params.error) problems.parameters = params.error;
    const regions = parseObject(regionsText());
    if (regions.error) problems.endpointRegions = regions.error;
    if (region().trim() && !REGION.test(region().trim())) problems.region = 'A region such as eu-west-1.';
    if (tenantRegion().trim() && !REGION.test(tenantRegion().trim())) problems.tenantRegion = 'A region such as eu-west-1.';
    const q = quota().trim() ? Number(quota()) : undefined;
    if (q !== undefined && !(Number.isInteger(q) && q >= 0)) problems.quota = 'A whole number, 0 or more.';
    const settings: AssumedSettings = {
      ...(maxRisk() ? { max_external_risk: maxRisk() === 'none' ? null : (maxRisk() as Risk) } : {}),
      ...(tenantRegion().trim() ? { region: tenantRegion().trim() } : {}),
      ...(q !== undefined ? { critical_runs_per_day: q } : {}),
      ...(egress().trim() ? { egress_allow: egress().split(/[\s,]+/).filter(Boolean) } : {}),
      ...(hoursOn() ? { business_hours: { days: days(), start_hour: startHour(), end_hour: endHour(), timezone: timezone() } } : {}),
      ...(regions.value ? { endpoint_regions: regions.value as Record<string, string> } : {}),
    };
    const assumed = assume() ? { assume: { settings } } : {};
    const v = version().trim();
    let req: DryRunRequest | undefined;
    switch (operation()) {
      case 'install':
        if (templateId()) req = { operation: 'install', templateId: templateId(), ...(v ? { version: v } : {}), environment: environment(), ...(region().trim() ? { region: region().trim() } : {}), ...(params.value ? { parameters: params.value } : {}), ...assumed };
        break;
      case 'publish':
        if (templateId() && v) req = { operation: 'publish', definitionId: templateId(), version: v, ...(visibility() ? { visibility: visibility() } : {}), ...assumed };
        break;
      case 'upgrade':
        if (instanceId() && v) req = { operation: 'upgrade', instanceId: instanceId(), toVersion: v, ...(params.value ? { parameters: params.value } : {}), ...assumed };
        break;
      case 'run':
        if (instanceId()) req = { operation: 'run', instanceId: instanceId(), ...assumed };
        else if (templateId() && v) req = { operation: 'run', definitionId: templateId(), version: v, ...assumed };
        break;
    }
    return { ...(Object.keys(problems).length ? {} : req ? { req } : {}), problems };
  });
  const policy = createDryRun(() => built().req);
  const problem = (k: string) => built().problems[k];
  const needsTemplate = () => operation() !== 'upgrade';
  const needsInstance = () => operation() === 'upgrade' || operation() === 'run';

  return (
    <div class="what-if-page">
      <div class="page-head">
        <h1>Policy what-if</h1>
        <p class="lede">
          Pick an operation, edit its inputs and — hypothetically — your tenant's guardrail settings, and watch the decision change. Every answer is the guardrails evaluated on the
          input the real lifecycle would build, without side effects; assumed settings are never stored.
        </p>
      </div>
      <div class="what-if-layout">
        <form class="card what-if-form" data-testid="what-if-form" onSubmit={(e) => e.preventDefault()}>
          <div class="field-grid">
            <div class="field">
              <label class="field-label" for={`${id}-op`}>
                Operation
              </label>
              <select id={`${id}-op`} data-testid="what-if-operation" onChange={(e) => setOperation(e.currentTarget.value as PolicyOperation)}>
                <For each={POLICY_OPERATIONS}>
                  {(op) => (
                    <option value={op} selected={op === operation()}>
                      {op}
                    </option>
                  )}
                </For>
              </select>
            </div>
            <Show when={needsTemplate()}>
              <div class="field">
                <label class="field-label" for={`${id}-template`}>
                  {operation() === 'install' ? 'Template' : 'Definition'}
                </label>
                <input id={`${id}-template`} list={`${id}-templates`} value={templateId()} placeholder="acme.payroll-sync" autocomplete="off" data-testid="what-if-template" onChange={(e) => setTemplateId(e.currentTarget.value.trim())} />
                <datalist id={`${id}-templates`}>
                  <For each={market()?.items ?? []}>{(t) => <option value={t.id} />}</For>
                </datalist>
              </div>
            </Show>
            <Show when={needsInstance()}>
              <div class="field">
                <label class="field-label" for={`${id}-instance`}>
                  Instance{operation() === 'run' ? ' (or a definition above)' : ''}
                </label>
                <select id={`${id}-instance`} data-testid="what-if-instance" onChange={(e) => setInstanceId(e.currentTarget.value)}>
                  <option value="" selected={!instanceId()}>
                    —
                  </option>
                  <For each={mine()?.items ?? []}>
                    {(i) => (
                      <option value={i.id} selected={i.id === instanceId()}>
                        {i.id} (v{i.version})
                      </option>
                    )}
                  </For>
                </select>
              </div>
            </Show>
            <div class="field">
              <label class="field-label" for={`${id}-version`}>
                {operation() === 'upgrade' ? 'To version' : 'Version'}
              </label>
              <input id={`${id}-version`} value={version()} placeholder={operation() === 'install' ? 'latest' : '1.0.0'} autocomplete="off" data-testid="what-if-version" onChange={(e) => setVersion(e.currentTarget.value)} />
            </div>
            <Show when={operation() === 'publish'}>
              <div class="field">
                <label class="field-label" for={`${id}-visibility`}>
                  Visibility
                </label>
                <select id={`${id}-visibility`} onChange={(e) => setVisibility(e.currentTarget.value)}>
                  <option value="">by the spec's scope</option>
                  <For each={VISIBILITY_PROFILES}>{(v) => <option value={v}>{v}</option>}</For>
                </select>
              </div>
            </Show>
            <Show when={operation() === 'install'}>
              <div class="field">
                <label class="field-label" for={`${id}-env`}>
                  Environment
                </label>
                <select id={`${id}-env`} data-testid="what-if-environment" onChange={(e) => setEnvironment(e.currentTarget.value as Environment)}>
                  <For each={ENVIRONMENTS}>
                    {(env) => (
                      <option value={env} selected={env === environment()}>
                        {env}
                      </option>
                    )}
                  </For>
                </select>
              </div>
              <Field id={`${id}-region`} label="Region" value={region()} placeholder="the tenant's" error={problem('region')} onInput={setRegion} />
            </Show>
            <Show when={operation() === 'install' || operation() === 'upgrade'}>
              <div class="field" classList={{ 'field-invalid': Boolean(problem('parameters')) }}>
                <label class="field-label" for={`${id}-params`}>
                  Parameters (JSON)
                </label>
                <textarea id={`${id}-params`} rows={3} value={paramsText()} placeholder='{"endpoint": "https://api.example.com"}' onInput={(e) => setParamsText(e.currentTarget.value)} />
                <Show when={problem('parameters')}>
                  <p class="field-error">{problem('parameters')}</p>
                </Show>
              </div>
            </Show>
          </div>

          <fieldset class="field" data-testid="what-if-assume">
            <legend class="field-label">
              <label class="radio-row">
                <input type="checkbox" checked={assume()} data-testid="what-if-assume-toggle" onChange={(e) => setAssume(e.currentTarget.checked)} /> Assume tenant settings (hypothetical)
              </label>
            </legend>
            <Show when={assume()}>
              <div class="field-grid">
                <div class="field">
                  <label class="field-label" for={`${id}-maxrisk`}>
                    Max risk installed from other tenants
                  </label>
                  <select id={`${id}-maxrisk`} data-testid="what-if-max-risk" onChange={(e) => setMaxRisk(e.currentTarget.value as '' | 'none' | Risk)}>
                    <option value="">your tenant's setting</option>
                    <option value="none">no cap</option>
                    <For each={RISKS}>{(r) => <option value={r}>{r}</option>}</For>
                  </select>
                </div>
                <Field id={`${id}-tregion`} label="Tenant region" value={tenantRegion()} placeholder="eu-west-1" error={problem('tenantRegion')} onInput={setTenantRegion} />
                <Field id={`${id}-quota`} label="Critical runs per day" value={quota()} placeholder="no quota" error={problem('quota')} onInput={setQuota} />
                <Field id={`${id}-egress`} label="Egress allow-list (hosts, comma separated)" value={egress()} placeholder="api.example.com, *.partner.io" onInput={setEgress} />
                <div class="field" classList={{ 'field-invalid': Boolean(problem('endpointRegions')) }}>
                  <label class="field-label" for={`${id}-eregions`}>
                    Endpoint regions (JSON: host pattern → region)
                  </label>
                  <textarea id={`${id}-eregions`} rows={2} value={regionsText()} placeholder='{"*.eu.example.com": "eu-west-1"}' onInput={(e) => setRegionsText(e.currentTarget.value)} />
                  <Show when={problem('endpointRegions')}>
                    <p class="field-error">{problem('endpointRegions')}</p>
                  </Show>
                </div>
                <fieldset class="field checkbox-group">
                  <legend class="field-label">
                    <label class="radio-row">
                      <input type="checkbox" checked={hoursOn()} onChange={(e) => setHoursOn(e.currentTarget.checked)} /> Business hours for critical runs
                    </label>
                  </legend>
                  <Show when={hoursOn()}>
                    <div>
                      <For each={DAYS}>
                        {(d) => (
                          <label class="radio-row">
                            <input type="checkbox" checked={days().includes(d)} onChange={(e) => setDays((ds) => (e.currentTarget.checked ? [...ds, d] : ds.filter((x) => x !== d)))} />
                            {d}
                          </label>
                        )}
                      </For>
                    </div>
                    <Field id={`${id}-start`} label="From hour" value={String(startHour())} onInput={(v) => setStartHour(Number(v) || 0)} />
                    <Field id={`${id}-end`} label="To hour" value={String(endHour())} onInput={(v) => setEndHour(Number(v) || 0)} />
                    <Field id={`${id}-tz`} label="Time zone" value={timezone()} onInput={setTimezone} />
                  </Show>
                </fieldset>
              </div>
            </Show>
          </fieldset>
        </form>
        <div>
          <DryRunPanel result={policy.result()} checking={policy.checking()} error={policy.error()} action={operation() === 'run' ? 'start a run' : operation()} showPasses />
        </div>
      </div>

      <section class="card rule-catalog" aria-labelledby="rules-title" data-testid="rule-catalog">
        <h2 id="rules-title" class="section-title">
          The rules
        </h2>
        <ErrorBoundary fallback={(err) => <ErrorPanel error={err} />}>
          <Suspense fallback={<Loading label="Loading the rules…" />}>
            <RuleCatalog />
          </Suspense>
        </ErrorBoundary>
      </section>
    </div>
  );
}

function RuleCatalog() {
  const rules = createAsync(() => policyRules());
  return (
    <table class="schema-table">
      <thead>
        <tr>
          <th>Rule</th>
          <th>Profile</th>
          <th>Enforcement</th>
          <th>Operations</th>
          <th>Fix</th>
        </tr>
      </thead>
      <tbody>
        <For each={rules()?.items ?? []}>
          {(r) => (
            <tr data-rule={r.id}>
              <td>
                <code>{r.id}</code>
                <div class="small">{r.title}</div>
              </td>
              <td>{r.profile}</td>
              <td>
                {r.enforcement}
                <Show when={r.override_roles.length}>
                  <div class="muted small">override: {r.override_roles.join(', ')}</div>
                </Show>
              </td>
              <td>{r.operations.join(', ')}</td>
              <td class="small">{r.fix}</td>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}

function Field(props: { id: string; label: string; value: string; placeholder?: string; error?: string | undefined; onInput: (v: string) => void }) {
  return (
    <div class="field" classList={{ 'field-invalid': Boolean(props.error) }}>
      <label class="field-label" for={props.id}>
        {props.label}
      </label>
      <input id={props.id} value={props.value} placeholder={props.placeholder ?? ''} autocomplete="off" aria-invalid={props.error ? 'true' : undefined} onInput={(e) => props.onInput(e.currentTarget.value)} />
      <Show when={props.error}>
        <p class="field-error">{props.error}</p>
      </Show>
    </div>
  );
}
