import { A, createAsync, revalidate } from '@solidjs/router';
import { ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { ExternalLink } from '../components/external-link.tsx';
import { InstanceStatusBadge } from '../components/instance-status-badge.tsx';
import { Loading } from '../components/loading.tsx';
import { UpgradeAvailable } from '../components/upgrade-available.tsx';
import { UpgradeStatusBadge } from '../components/upgrade-status-badge.tsx';
import { TERMINAL_UPGRADE_STATUSES, upgradeHref } from '../data/upgrades.ts';
import { instances } from '../data/marketplace.ts';
import { session } from '../data/session.ts';
import { usePageTitle } from '../lib/page-title.ts';

export const instanceHref = (id: string) => `/instances/${encodeURIComponent(id)}`;

const quotaText = (used: number, limit: number | undefined) => (limit === undefined ? `${used}` : `${used} / ${limit}`);

/** The tenant's installed templates: what it runs, where, at which version, and how much of its quotas. */
export function InstancesPage() {
  usePageTitle('Instances');
  const list = createAsync(() => instances());
  return (
    <div class="instances">
      <div class="page-head">
        <h1>Instances</h1>
        <p class="lede">
          Marketplace templates installed in <code>{session.actor()?.tenant ?? 'your tenant'}</code>: each runs with your tenant's own bindings and counts against its
          own quotas. Install more from the <A href="/marketplace">Marketplace</A>.
        </p>
      </div>
      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(instances.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the instances…" />}>
          <Show when={list()}>
            {(l) => (
              <Show when={l().items.length} fallback={<EmptyState title="Nothing is installed in your tenant yet." />}>
                <h2 class="results-summary">
                  {l().items.length} {l().items.length === 1 ? 'instance' : 'instances'}
                </h2>
                <div class="table-scroll">
                  <table class="plain-table instances-table" data-testid="instances-table">
                    <caption class="visually-hidden">Installed instances of your tenant</caption>
                    <thead>
                      <tr>
                        <th scope="col">Instance</th>
                        <th scope="col">Version</th>
                        <th scope="col">Environment</th>
                        <th scope="col">Status</th>
                        <th scope="col">Runs now / today</th>
                        <th scope="col">Install</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={l().items}>
                        {(i) => (
                          <tr data-testid="instance-row" data-id={i.id}>
                            <th scope="row">
                              <A href={instanceHref(i.id)}>{i.title}</A>
                              <span class="field-desc">
                                <code class="muted">{i.id}</code>
                              </span>
                              <span class="field-desc muted">
                                {i.templateId} · from {i.publisherTenant}
                              </span>
                            </th>
                            <td>
                              <code>v{i.version}</code>
                              <Show when={i.upgradePolicy}>{(p) => <span class="field-desc muted small">upgrades: {p()}</span>}</Show>
                              <Show when={i.upgrade && !TERMINAL_UPGRADE_STATUSES.includes(i.upgrade.status) ? i.upgrade : undefined}>
                                {(u) => (
                                  <span class="field-desc">
                                    <A href={upgradeHref(i.id, u().toVersion)}>
                                      <UpgradeStatusBadge status={u().status} /> <span class="visually-hidden">to </span>v{u().toVersion}
                                    </A>
                                  </span>
                                )}
                              </Show>
                              <span class="field-desc">
                                <UpgradeAvailable instanceId={i.id} fields={i} />
                              </span>
                            </td>
                            <td>
                              {i.environment}
                              <Show when={i.region}>{(r) => <span class="muted"> · {r()}</span>}</Show>
                            </td>
                            <td>
                              <InstanceStatusBadge status={i.status} />
                            </td>
                            <td class="nowrap">
                              {quotaText(i.quotaUse.concurrentRuns, i.quotas.maxConcurrentRuns)} · {quotaText(i.quotaUse.runsToday, i.quotas.runsPerDay)}
                            </td>
                            <td class="nowrap">
                              <span class="muted small">{i.install.status.replace(/_/g, ' ')}</span>{' '}
                              <ExternalLink href={i.install.temporalUrl}>
                                Temporal<span class="visually-hidden">: the install of {i.id}</span>
                              </ExternalLink>
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </Show>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
