import { A, createAsync, revalidate, useParams } from '@solidjs/router';
import { createEffect, createSignal, ErrorBoundary, For, onCleanup, Show, Suspense } from 'solid-js';
import { ErrorPanel } from '../components/error-panel.tsx';
import { ApiError } from '../data/api.ts';
import { ExternalLink } from '../components/external-link.tsx';
import { Loading } from '../components/loading.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { UpgradeDecision } from '../components/upgrade-decision.tsx';
import { UpgradePlanView } from '../components/upgrade-plan-view.tsx';
import { UpgradeStatusBadge } from '../components/upgrade-status-badge.tsx';
import { UpgradeTimeline } from '../components/upgrade-timeline.tsx';
import { instance } from '../data/marketplace.ts';
import type { RunStatus } from '../data/runs.ts';
import { session } from '../data/session.ts';
import { TERMINAL_UPGRADE_STATUSES, upgradeState, type UpgradeView } from '../data/upgrades.ts';
import { formatDateTime } from '../lib/format.ts';
import { usePageTitle } from '../lib/page-title.ts';
import { mayDecideUpgrade } from '../lib/upgrade-access.ts';
import { instanceHref } from './instances.tsx';

const POLL_MS = 1500;
/** how often to ask for an upgrade that cannot be found (right after the request, its lifecycle has not written it yet) */
const MAX_MISSES = 10;

const notThereYet = (e: unknown) => {
  if (e instanceof ApiError && e.status === 404) return null;
  throw e;
};

const LEDES: Record<string, string> = {
  planning: 'The lifecycle is planning the upgrade.',
  blocked: 'The plan stopped: required bindings are missing or do not fit. Nothing changed.',
  awaiting_approval: 'The upgrade waits for a tenant admin who did not ask for it to approve it.',
  applying: 'The new version and bindings are being applied.',
  smoke_testing: 'Applied; the smoke run declared by the template is running.',
  watching: "Applied; the instance's runs are being watched before the upgrade is final.",
  rolling_back: 'Something failed: the instance is being rolled back to its version and bindings before.',
  upgraded: 'The instance runs the new version. Runs in flight kept the version they started with.',
  rolled_back: 'The upgrade failed and the instance was rolled back to its version and bindings before.',
  rejected: 'The upgrade was rejected. Nothing changed.',
  failed: 'The upgrade failed.',
};

/**
 * One upgrade, live (`/instances/:id/upgrades/:version`): where the lifecycle is, approval
 * (for a tenant admin who did not ask for it), the smoke run, the watch window, the
 * rollback and its reason, the receipt and the workflow in Temporal. It asks again every
 * moment until the upgrade has ended.
 */
export function UpgradePage() {
  const params = useParams<{ id: string; version: string }>();
  usePageTitle(() => `Upgrade of ${params.id} to v${params.version}`);
  const state = createAsync(() => upgradeState(params.id, params.version).catch(notThereYet));
  const [misses, setMisses] = createSignal(0);

  createEffect(() => {
    const u = state();
    if (u === undefined) return; // still loading
    if (u === null && setMisses((n) => n + 1) > MAX_MISSES) return; // no such upgrade: stop asking
    if (u && TERMINAL_UPGRADE_STATUSES.includes(u.status)) {
      // the instance's version (and bindings) may have moved: read them afresh
      void revalidate(instance.keyFor(params.id));
      return;
    }
    const timer = setTimeout(() => void revalidate(upgradeState.keyFor(params.id, params.version)), POLL_MS);
    onCleanup(() => clearTimeout(timer));
  });

  return (
    <div class="upgrade-page">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/instances">Instances</A> <span aria-hidden="true">/</span> <A href={instanceHref(params.id)}>{params.id}</A> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">Upgrade to v{params.version}</span>
      </nav>
      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(upgradeState.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the upgrade…" />}>
          <Show when={state() !== undefined}>
            <Show
              when={state()}
              fallback={
                <Show when={misses() <= MAX_MISSES} fallback={<ErrorPanel error={new ApiError(404, 'UPGRADE_NOT_FOUND', `no upgrade of ${params.id} to ${params.version} in your tenant`)} />}>
                  <Loading label="The upgrade lifecycle is starting…" />
                </Show>
              }
            >
              {(u) => <UpgradeLive upgrade={u()} />}
            </Show>
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}

function UpgradeLive(props: { upgrade: UpgradeView }) {
  const u = () => props.upgrade;
  const canDecide = () => u().status === 'awaiting_approval' && mayDecideUpgrade(session.actor(), u());
  return (
    <>
      <header class="page-head definition-head">
        <div class="definition-title">
          <h1>
            Upgrade to v{u().toVersion}
          </h1>
          <code class="row-id">{u().instanceId}</code>
          <div class="badges head-badges">
            <UpgradeStatusBadge status={u().status} />
            <code class="chip">
              v{u().fromVersion} → v{u().toVersion}
            </code>
          </div>
          <p class="lede" data-testid="upgrade-lede" aria-live="polite">
            {LEDES[u().status] ?? ''}
          </p>
        </div>
      </header>

      <UpgradeTimeline upgrade={u()} />

      <div class="definition-layout">
        <div class="overview-main">
          <Show when={u().rollback}>
            {(r) => (
              <div class="banner banner-danger" role="status" data-testid="upgrade-rollback">
                <strong>{u().status === 'rolling_back' ? 'Rolling back' : 'Rolled back'}:</strong> {r().reason} <code class="error-code">{r().code}</code>
                <Show when={u().status === 'rolled_back'}>
                  <p class="small">
                    The instance is back on <code>v{u().fromVersion}</code> with its bindings before.
                  </p>
                </Show>
              </div>
            )}
          </Show>
          <Show when={u().error}>
            {(e) => (
              <div class="banner banner-danger" role="status" data-testid="upgrade-error-detail">
                {e().message} <code class="error-code">{e().code}</code>
                <Show when={e().details?.length}>
                  <ul>
                    <For each={e().details}>
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
          <Show when={u().status === 'upgraded'}>
            <div class="banner banner-ok" role="status" data-testid="upgrade-done">
              <strong>Upgraded</strong> to <code>v{u().toVersion}</code>.
            </div>
          </Show>

          <Show when={u().plan} fallback={<p class="muted">The plan appears once the lifecycle has made it.</p>}>
            {(p) => <UpgradePlanView plan={p()} />}
          </Show>
        </div>

        <aside class="definition-side">
          <section class="card side-card install-lifecycle" aria-labelledby="ul-title" data-testid="upgrade-lifecycle">
            <h2 id="ul-title" class="section-title">
              Upgrade lifecycle
            </h2>
            <p class="lifecycle-line">
              <UpgradeStatusBadge status={u().status} testId="upgrade-status-side" />{' '}
              <span class="muted small">{u().campaignId ? 'started by a campaign' : `requested by ${u().requestedBy}`}</span>
            </p>
            <p class="small">
              <ExternalLink href={u().temporalUrl} testId="upgrade-temporal-link">
                Open in Temporal
              </ExternalLink>{' '}
              <code class="workflow-id muted">{u().workflowId}</code>
            </p>
            <Show when={u().plan}>
              {(p) => (
                <Show when={p().approval.required}>
                  <div class="small">
                    <p>
                      {(p().approval.count ?? 1) > 1 ? `${p().approval.count} tenant admins` : 'A tenant admin'} other than the requester must approve it:
                    </p>
                    <ul>
                      <For each={p().approval.reasons}>{(r) => <li>{r}</li>}</For>
                    </ul>
                  </div>
                </Show>
              )}
            </Show>
            <Show when={u().approvals.length}>
              <ul class="decisions" data-testid="upgrade-approvals">
                <For each={u().approvals}>
                  {(a) => (
                    <li class={`decision decision-${a.decision}`}>
                      <strong>{a.decision === 'approve' ? 'Approved' : 'Rejected'}</strong> by {a.approver.name ?? a.approver.sub}, <time datetime={a.at}>{formatDateTime(a.at)}</time>
                      <blockquote>{a.rationale}</blockquote>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <Show when={canDecide()}>
              <UpgradeDecision instanceId={u().instanceId} version={u().toVersion} />
            </Show>
            <Show when={u().status === 'awaiting_approval' && !canDecide()}>
              <p class="muted small" data-testid="upgrade-awaiting-note">
                {session.actor()?.sub === u().requestedBy ? 'You asked for it: another tenant admin approves it.' : 'A tenant admin who did not ask for it approves it.'}
              </p>
            </Show>
          </section>

          <section class="card side-card" aria-labelledby="us-title" data-testid="upgrade-smoke">
            <h2 id="us-title" class="section-title">
              Smoke run and watch
            </h2>
            <dl class="side-facts">
              <div>
                <dt>Smoke run</dt>
                <dd>
                  <Show
                    when={u().smokeRun}
                    fallback={<span class="muted">{u().plan?.smoke ? 'after applying' : 'none declared'}</span>}
                  >
                    {(r) => (
                      <>
                        <StatusBadge status={r().status as RunStatus} testId="smoke-status" />{' '}
                        <A href={`/runs/${encodeURIComponent(r().runId)}`} data-testid="smoke-run-link">
                          Open the run
                        </A>
                      </>
                    )}
                  </Show>
                </dd>
              </div>
              <div>
                <dt>Watch</dt>
                <dd data-testid="upgrade-watch">
                  <Show when={u().watch} fallback={<span class="muted">{u().plan?.watch ? `${u().plan!.watch!.window} after the smoke run` : 'none declared'}</span>}>
                    {(w) => (
                      <>
                        <span data-testid="watch-finished">{w().finished}</span> runs finished, <span data-testid="watch-failed">{w().failed}</span> failed
                        <Show when={w().until}>
                          {(until) => (
                            <span class="block muted small">
                              until <time datetime={until()}>{formatDateTime(until())}</time>
                            </span>
                          )}
                        </Show>
                      </>
                    )}
                  </Show>
                </dd>
              </div>
              <Show when={u().receiptId}>
                {(r) => (
                  <div>
                    <dt>Receipt</dt>
                    <dd>
                      <code class="workflow-id" data-testid="upgrade-receipt">
                        {r()}
                      </code>
                    </dd>
                  </div>
                )}
              </Show>
            </dl>
          </section>
        </aside>
      </div>
    </>
  );
}
