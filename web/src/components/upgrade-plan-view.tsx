import { For, Show } from 'solid-js';
import type { ParameterChange, UpgradePlan } from '../data/upgrades.ts';
import { ChangeKindChip } from './change-kind-chip.tsx';
import { RiskBadge } from './risk-badge.tsx';
import type { Risk } from '../../../domain/spec.ts';

const shown = (v: unknown) => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

const CHANGE_WORDS: Record<ParameterChange['change'], string> = { added: 'added', removed: 'removed', changed: 'changed', unchanged: 'unchanged' };

/** Where a binding's new value comes from: the request, the declared migration, or nowhere new. */
function origin(plan: UpgradePlan, p: ParameterChange, supplied: ReadonlySet<string> | undefined): 'supplied' | 'migration' | 'missing' | undefined {
  if (plan.missing.parameters.includes(p.name) || plan.missing.secrets.includes(p.name)) return 'missing';
  const declared = (p as ParameterChange & { source?: string }).source;
  if (declared === 'supplied' || declared === 'request') return 'supplied';
  if (declared === 'migration') return 'migration';
  // without the request (a past upgrade's page) a new value's origin is not known
  if (!supplied || p.change === 'unchanged' || p.change === 'removed') return undefined;
  if (supplied.has(p.name)) return 'supplied';
  return plan.migration.applied && p.after !== undefined ? 'migration' : undefined;
}

/** A binding diff: name, before → after, and what changed it. */
function BindingDiff(props: { plan: UpgradePlan; rows: ParameterChange[]; kind: 'parameter' | 'secret'; supplied: ReadonlySet<string> | undefined; testId: string }) {
  return (
    <Show when={props.rows.length} fallback={<p class="muted small">No {props.kind}s.</p>}>
      <div class="table-scroll">
        <table class="plain-table diff-table" data-testid={props.testId}>
          <caption class="visually-hidden">{props.kind === 'parameter' ? 'Parameters' : 'Secrets'}: the instance's bindings before and after the upgrade</caption>
          <thead>
            <tr>
              <th scope="col">{props.kind === 'parameter' ? 'Parameter' : 'Secret'}</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.rows}>
              {(p) => {
                const from = () => origin(props.plan, p, props.supplied);
                return (
                  <tr class={`diff-${p.change}`} data-testid="diff-row" data-name={p.name} data-change={p.change} data-origin={from() ?? ''}>
                    <th scope="row">
                      <code>{p.name}</code>{' '}
                      <Show when={p.change !== 'unchanged'}>
                        <span class={`chip diff-chip diff-chip-${p.change}`}>{CHANGE_WORDS[p.change]}</span>
                      </Show>
                      <Show when={from() === 'migration'}>
                        {' '}
                        <span class="chip chip-migration" title="Computed by the version's declared migration from the instance's own bindings">
                          by migration
                        </span>
                      </Show>
                      <Show when={from() === 'missing'}>
                        {' '}
                        <span class="chip chip-warn">to supply</span>
                      </Show>
                      <Show when={from() === 'supplied'}>
                        {' '}
                        <span class="chip chip-ok">you supply it</span>
                      </Show>
                    </th>
                    <td>
                      <Show when={shown(p.before)} fallback={<span class="muted">—</span>}>
                        {(v) => <code class={`binding-value${p.change === 'changed' || p.change === 'removed' ? ' diff-old' : ''}`}>{v()}</code>}
                      </Show>
                    </td>
                    <td>
                      <Show when={shown(p.after)} fallback={<span class="muted">{p.change === 'removed' ? 'removed' : '—'}</span>}>
                        {(v) => <code class={`binding-value${p.change === 'changed' || p.change === 'added' ? ' diff-new' : ''}`}>{v()}</code>}
                      </Show>
                    </td>
                  </tr>
                );
              }}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}

/**
 * What an upgrade would do to one instance: the computed change and its reasons, the
 * instance's own bindings before → after (the migration's work marked when what the
 * request supplies is known: `supplied`), the steps that change, and what the lifecycle will do after applying it (approval, smoke run, watch).
 */
export function UpgradePlanView(props: { plan: UpgradePlan; supplied?: ReadonlySet<string> }) {
  const p = () => props.plan;
  const supplied = () => props.supplied;
  return (
    <div class="upgrade-plan" data-testid="upgrade-plan" data-kind={p().changeKind}>
      <section class="detail-section" aria-labelledby="plan-change-title">
        <h3 id="plan-change-title">What changes</h3>
        <p class="plan-line">
          <code>v{p().fromVersion}</code> <span aria-hidden="true">→</span>
          <span class="visually-hidden"> to </span> <code>v{p().toVersion}</code> <ChangeKindChip kind={p().changeKind} testId="plan-change-kind" />{' '}
          <RiskBadge risk={p().risk as Risk} />
        </p>
        <Show when={p().reasons.length} fallback={<p class="muted small">No change that an instance notices.</p>}>
          <ul class="reason-list" data-testid="plan-reasons">
            <For each={p().reasons}>
              {(r) => (
                <li data-rule={r.rule} data-kind={r.kind}>
                  <ChangeKindChip kind={r.kind} testId="reason-kind" /> {r.message} <code class="muted small">{r.pointer}</code>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>

      <section class="detail-section" aria-labelledby="plan-params-title">
        <h3 id="plan-params-title">Parameters</h3>
        <p class="hint">
          <Show
            when={p().migration.declared}
            fallback={<>The new version declares no migration: bindings it keeps stay as they are.</>}
          >
            The new version declares a migration: it maps your instance's own bindings to the new parameters
            {p().migration.applied ? (supplied() ? ' (its results are marked).' : '.') : '; it did not apply to this version.'}
          </Show>
        </p>
        <Show when={p().migration.problems.length}>
          <div class="banner banner-danger" data-testid="migration-problems">
            The migration's output does not fit the new version:
            <ul>
              <For each={p().migration.problems}>
                {(d) => (
                  <li>
                    <code>{d.path || '/'}</code> {d.message}
                  </li>
                )}
              </For>
            </ul>
          </div>
        </Show>
        <BindingDiff plan={p()} rows={p().parameters} kind="parameter" supplied={supplied()} testId="plan-parameters" />
      </section>

      <Show when={p().secrets.length}>
        <section class="detail-section" aria-labelledby="plan-secrets-title">
          <h3 id="plan-secrets-title">Secrets</h3>
          <p class="hint">Bound by reference to your tenant's own secrets; values are never shown.</p>
          <BindingDiff plan={p()} rows={p().secrets} kind="secret" supplied={supplied()} testId="plan-secrets" />
        </section>
      </Show>

      <section class="detail-section" aria-labelledby="plan-steps-title">
        <h3 id="plan-steps-title">Steps</h3>
        <Show when={p().steps.length} fallback={<p class="muted small">The steps are the same.</p>}>
          <ul class="step-diff" data-testid="plan-steps">
            <For each={p().steps}>
              {(st) => (
                <li class={`diff-${st.change}`} data-id={st.id} data-change={st.change}>
                  <span class={`chip diff-chip diff-chip-${st.change}`}>{st.change}</span> <code>{st.id}</code>
                  <Show when={st.task}>
                    {(t) => (
                      <span class="muted small">
                        {' '}
                        <Show when={t().before}>{(b) => <code class="diff-old">{b()}</code>}</Show>
                        <Show when={t().before && t().after}>
                          {' '}
                          <span aria-hidden="true">→</span>
                          <span class="visually-hidden"> to </span>{' '}
                        </Show>
                        <Show when={t().after}>{(a) => <code class="diff-new">{a()}</code>}</Show>
                      </span>
                    )}
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>
    </div>
  );
}

/** After applying: approval, smoke run and watch window, as the plan declares them. */
export function UpgradeSafeguards(props: { plan: UpgradePlan }) {
  const p = () => props.plan;
  return (
    <dl class="side-facts safeguards" data-testid="plan-safeguards">
      <div data-testid="plan-approval" data-required={String(p().approval.required)}>
        <dt>Approval</dt>
        <dd>
          <Show when={p().approval.required} fallback={<>none needed</>}>
            <strong>{(p().approval.count ?? 1) > 1 ? `${p().approval.count} tenant admins other than the requester` : 'a tenant admin other than the requester'}</strong>
            <ul class="preview-list">
              <For each={p().approval.reasons}>{(r) => <li>{r}</li>}</For>
            </ul>
          </Show>
        </dd>
      </div>
      <div data-testid="plan-smoke">
        <dt>Smoke run</dt>
        <dd>
          <Show when={p().smoke} fallback={<span class="muted">none declared</span>}>
            {(s) => (
              <>
                {s().mode === 'dry-run' ? 'a dry run of the adapters' : 'a run with safe parameters'}, within {s().timeout}; if it fails, the instance rolls back.
              </>
            )}
          </Show>
        </dd>
      </div>
      <div data-testid="plan-watch">
        <dt>Watch</dt>
        <dd>
          <Show when={p().watch} fallback={<span class="muted">none declared</span>}>
            {(w) => (
              <>
                {w().window}: rolls back if more than {Math.round(w().maxFailureRate * 100)} % of at least {w().minRuns} runs fail.
              </>
            )}
          </Show>
        </dd>
      </div>
    </dl>
  );
}
