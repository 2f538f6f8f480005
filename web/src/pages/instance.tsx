import { A, createAsync, revalidate, useNavigate, useParams } from '@solidjs/router';
import { ApiError } from '../data/api.ts';
import { createEffect, ErrorBoundary, For, onCleanup, Show, Suspense } from 'solid-js';
import { isPermitted } from '../../../domain/access.ts';
import { ErrorPanel } from '../components/error-panel.tsx';
import { ExternalLink } from '../components/external-link.tsx';
import { InstallLifecycle } from '../components/install-lifecycle.tsx';
import { InstanceActions } from '../components/instance-actions.tsx';
import { InstanceRun } from '../components/instance-run.tsx';
import { InstanceStatusBadge } from '../components/instance-status-badge.tsx';
import { Loading } from '../components/loading.tsx';
import { QuotaMeter } from '../components/quota-meter.tsx';
import { ReceiptList } from '../components/receipt-list.tsx';
import { UpgradeAvailable } from '../components/upgrade-available.tsx';
import { UpgradeHistory } from '../components/upgrade-history.tsx';
import { UpgradePolicyCard } from '../components/upgrade-policy.tsx';
import { UpgradeStatusBadge } from '../components/upgrade-status-badge.tsx';
import { instanceUpgrades, TERMINAL_UPGRADE_STATUSES, UPGRADE_STATUS_LABELS, upgradeHref, upgradePlanHref } from '../data/upgrades.ts';
import { mayRequestUpgrade } from '../lib/upgrade-access.ts';
import { templateHref } from '../components/template-card.tsx';
import { installState, instance, TERMINAL_INSTALL, type InstanceView, type InstallView } from '../data/marketplace.ts';
import { session } from '../data/session.ts';
import { formatDateTime } from '../lib/format.ts';
import { usePageTitle } from '../lib/page-title.ts';

const POLL_MS = 1500;
/** how often to ask for an instance whose install cannot be found either */
const MAX_MISSES = 10;
/** states an instance leaves by itself (a lifecycle is working on it) */
const MOVING = new Set(['installing', 'uninstalling']);

/**
 * One instance: its version, environment, bindings (secrets as references, never values),
 * policies, quotas and their use, the state of its install lifecycle (linked to the Temporal
 * Web UI), Run, and — for tenant admins — disable, enable and uninstall. While a lifecycle
 * is still working on it, the page asks again every moment.
 */
export function InstancePage() {
  const params = useParams<{ id: string }>();
  usePageTitle(() => params.id);
  return (
    <div class="instance-page">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/instances">Instances</A> <span aria-hidden="true">/</span> <span aria-current="page">{params.id}</span>
      </nav>
      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate([instance.key, installState.key]).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the instance…" />}>
          <InstanceLoaded id={params.id} />
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}

/** 404 right after POST /installs: the lifecycle has not created the instance yet (or never will). */
const notThereYet = (e: unknown) => {
  if (e instanceof ApiError && e.status === 404) return null;
  throw e;
};

function InstanceLoaded(props: { id: string }) {
  const navigate = useNavigate();
  const inst = createAsync(() => instance(props.id).catch(notThereYet));
  const install = createAsync(() => installState(props.id).catch(() => undefined));
  let misses = 0;

  createEffect(() => {
    const i = inst();
    const st = install();
    if (i === undefined) return; // still loading
    if (i === null && !st && ++misses > MAX_MISSES) return; // neither exists: stop asking
    const upgrading = Boolean(i?.upgrade && !TERMINAL_UPGRADE_STATUSES.includes(i.upgrade.status));
    const moving =
      i === null ? !st || !TERMINAL_INSTALL.includes(st.status) : MOVING.has(i.status) || upgrading || (st !== undefined && !TERMINAL_INSTALL.includes(st.status));
    if (!moving) return;
    const timer = setTimeout(() => void revalidate([instance.keyFor(props.id), installState.keyFor(props.id), instanceUpgrades.keyFor(props.id)]), POLL_MS);
    onCleanup(() => clearTimeout(timer));
  });

  return (
    <Show when={inst() !== undefined}>
      <Show
        when={inst()}
        fallback={
          <Show when={install()} fallback={<ErrorPanel error={new ApiError(404, 'INSTANCE_NOT_FOUND', `no instance ${props.id} in your tenant`)} />}>
            {(st) => <PendingInstance install={st()} />}
          </Show>
        }
      >
        {(i) => <InstanceDetail instance={i()} install={install()} onStarted={(runId) => navigate(`/runs/${encodeURIComponent(runId)}`)} />}
      </Show>
    </Show>
  );
}

/** The install before (or instead of) an instance: being checked, awaiting approval, or ended without one. */
function PendingInstance(props: { install: InstallView }) {
  const st = () => props.install;
  const ended = () => TERMINAL_INSTALL.includes(st().status);
  const actor = () => session.actor();
  const canDecide = () => {
    const a = actor();
    return Boolean(a && isPermitted(a, 'install.decide') && st().requestedBy !== a.sub);
  };
  return (
    <>
      <header class="page-head">
        <h1>
          {ended() ? 'Install of' : 'Installing'} {st().templateId}
        </h1>
        <code class="row-id">{st().instanceId}</code>
        <p class="lede" data-testid="pending-instance">
          <Show
            when={ended()}
            fallback={
              <>
                Into <strong>{st().environment}</strong>, v{st().version}. The install lifecycle is at work; the instance appears here when it is created.
              </>
            }
          >
            It ended <strong>{st().status.replace(/_/g, ' ')}</strong>: no instance was created, and nothing was left half-installed.
          </Show>
        </p>
      </header>
      <div class="pending-layout">
        <InstallLifecycle install={st()} canDecide={canDecide()} />
      </div>
    </>
  );
}

function InstanceDetail(props: { instance: InstanceView; install: InstallView | undefined; onStarted: (runId: string) => void }) {
  const i = () => props.instance;
  usePageTitle(() => i().title);
  const actor = () => session.actor();
  const canManage = () => {
    const a = actor();
    return a ? isPermitted(a, 'instance.manage') : false;
  };
  const canDecide = () => {
    const a = actor();
    return Boolean(a && isPermitted(a, 'install.decide') && props.install && props.install.requestedBy !== a.sub);
  };
  const locked = () => new Set(i().lockedParameters ?? []);
  const params = () => Object.entries(i().parameters);
  const secrets = () => Object.entries(i().secretBindings);

  return (
    <>
      <header class="page-head definition-head">
        <div class="definition-title">
          <h1>{i().title}</h1>
          <code class="row-id">{i().id}</code>
          <div class="badges head-badges">
            <InstanceStatusBadge status={i().status} />
            <span class="chip" data-testid="instance-environment">
              {i().environment}
            </span>
            <Show when={i().region}>{(r) => <span class="chip">{r()}</span>}</Show>
            <code class="chip" data-testid="instance-version">
              v{i().version}
            </code>
            <UpgradeAvailable instanceId={i().id} fields={i()} link={false} />
          </div>
        </div>
        <Show when={canManage()}>
          <div class="head-actions">
            <InstanceActions instance={i()} />
          </div>
        </Show>
      </header>

      <div class="definition-layout">
        <div class="overview-main">
          <UpgradeNotice instance={i()} />
          <InstanceRun instance={i()} onStarted={(run) => props.onStarted(run.runId)} />

          <section class="detail-section" aria-labelledby="ibind-title">
            <h3 id="ibind-title">Bindings</h3>
            <p class="hint">Your tenant's own: secrets are bound by reference and their values are never shown, here or in a run's history.</p>
            <table class="plain-table" data-testid="instance-bindings">
              <caption class="visually-hidden">Parameter, endpoint and secret bindings of {i().id}</caption>
              <thead>
                <tr>
                  <th scope="col">Binding</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                <For each={params()}>
                  {([name, value]) => (
                    <tr data-testid="binding-param" data-name={name}>
                      <th scope="row">
                        <code>{name}</code>
                        <Show when={locked().has(name)}>
                          {' '}
                          <span class="chip" title="An endpoint: runs cannot change it">
                            endpoint · locked
                          </span>
                        </Show>
                      </th>
                      <td>
                        <code class="binding-value">{typeof value === 'string' ? value : JSON.stringify(value)}</code>
                      </td>
                    </tr>
                  )}
                </For>
                <For each={secrets()}>
                  {([name, ref]) => (
                    <tr data-testid="binding-secret" data-name={name}>
                      <th scope="row">
                        <code>{name}</code> <span class="chip">secret</span>
                      </th>
                      <td>
                        <span class="masked" aria-hidden="true">
                          ••••••
                        </span>{' '}
                        <code class="secret-ref" data-testid="secret-ref">
                          {ref}
                        </code>
                        <span class="visually-hidden"> (a reference; the value is never shown)</span>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </section>

          <UpgradeHistory instanceId={i().id} />

          <ReceiptList subjects={[`instance:${i().id}`]} empty="No signed receipts for this instance yet." />
        </div>

        <aside class="definition-side">
          <Show when={props.install} fallback={<FallbackLifecycle instance={i()} />}>
            {(st) => <InstallLifecycle install={st()} canDecide={canDecide()} />}
          </Show>

          <UpgradePolicyCard instanceId={i().id} policy={i().upgradePolicy} canEdit={canManage()} />

          <section class="card side-card" aria-labelledby="quota-title" data-testid="quota-use">
            <h2 id="quota-title" class="section-title">
              Quotas
            </h2>
            <dl class="side-facts quotas">
              <QuotaMeter label="Running now" used={i().quotaUse.concurrentRuns} limit={i().quotas.maxConcurrentRuns} testId="quota-concurrent" />
              <QuotaMeter label="Runs today" used={i().quotaUse.runsToday} limit={i().quotas.runsPerDay} testId="quota-today" />
            </dl>
          </section>

          <section class="card side-card" aria-labelledby="ifacts-title">
            <h2 id="ifacts-title" class="section-title">
              About
            </h2>
            <dl class="side-facts">
              <div>
                <dt>Template</dt>
                <dd>
                  <A href={templateHref(i().templateId)}>{i().templateId}</A>
                </dd>
              </div>
              <div>
                <dt>Publisher</dt>
                <dd>{i().publisherTenant}</dd>
              </div>
              <div>
                <dt>Who runs it</dt>
                <dd>{i().policies.runRoles?.length ? i().policies.runRoles!.join(', ') : 'every member of your tenant'}</dd>
              </div>
              <div>
                <dt>Approvals</dt>
                <dd>{i().policies.approvalsPerRun ? `${i().policies.approvalsPerRun} per run` : 'none per run'}</dd>
              </div>
              <Show when={i().installedBy}>
                <div>
                  <dt>Installed by</dt>
                  <dd>{i().installedBy}</dd>
                </div>
              </Show>
              <div>
                <dt>Created</dt>
                <dd>
                  <time datetime={i().createdAt}>{formatDateTime(i().createdAt)}</time>
                </dd>
              </div>
            </dl>
            <Show when={i().uninstall}>
              {(u) => (
                <p class="small">
                  Uninstall: {u().status.replace(/_/g, ' ')} · <ExternalLink href={u().temporalUrl}>Open in Temporal</ExternalLink>
                </p>
              )}
            </Show>
          </section>
        </aside>
      </div>
    </>
  );
}

/** Without the install's read model (an error), the instance's own link to its install still shows. */
function FallbackLifecycle(props: { instance: InstanceView }) {
  return (
    <section class="card side-card" aria-labelledby="fl-title" data-testid="install-lifecycle">
      <h2 id="fl-title" class="section-title">
        Install lifecycle
      </h2>
      <p class="small">
        {props.instance.install.status.replace(/_/g, ' ')} · <ExternalLink href={props.instance.install.temporalUrl}>Open in Temporal</ExternalLink>
      </p>
    </section>
  );
}

/** An upgrade under way (follow it), or a newer version to upgrade to (see its plan). */
function UpgradeNotice(props: { instance: InstanceView }) {
  const i = () => props.instance;
  const underWay = () => (i().upgrade && !TERMINAL_UPGRADE_STATUSES.includes(i().upgrade!.status) ? i().upgrade : undefined);
  /** the newest upgrade, when it was to this version and ended without it (rolled back, rejected…) */
  const lastAttempt = (version: string) => (i().upgrade?.toVersion === version && i().upgrade!.status !== 'upgraded' ? i().upgrade : undefined);
  return (
    <Show
      when={underWay()}
      fallback={
        <Show when={i().upgradeAvailable}>
          {(a) => (
            <div class={`banner ${a().changeKind === 'breaking' ? 'banner-warn' : 'banner-info'} upgrade-banner`} data-testid="upgrade-notice" data-kind={a().changeKind}>
              <p>
                <strong>
                  Upgrade available ({a().changeKind}): <code>v{a().version}</code>
                </strong>{' '}
                {a().changeKind === 'breaking' ? 'Your bindings may have to change, and a tenant admin other than the requester approves it.' : 'Your bindings keep working.'}
                <Show when={lastAttempt(a().version)}>
                  {(last) => (
                    <>
                      {' '}
                      The last attempt ended{' '}
                      <A href={upgradeHref(i().id, a().version)} data-testid="upgrade-last-attempt">
                        {UPGRADE_STATUS_LABELS[last().status]}
                      </A>
                      .
                    </>
                  )}
                </Show>
              </p>
              <A href={upgradePlanHref(i().id, a().version)} class="button small" data-testid="upgrade-plan-link">
                {mayRequestUpgrade(session.actor()) ? 'See the plan and upgrade' : 'See the plan'}
              </A>
            </div>
          )}
        </Show>
      }
    >
      {(u) => (
        <div class="banner banner-info upgrade-banner" data-testid="upgrade-notice" data-status={u().status}>
          <p>
            <UpgradeStatusBadge status={u().status} /> Upgrade to <code>v{u().toVersion}</code> under way.
          </p>
          <A href={upgradeHref(i().id, u().toVersion)} class="button small" data-testid="upgrade-live-link">
            Follow it
          </A>
        </div>
      )}
    </Show>
  );
}
