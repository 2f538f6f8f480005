import { A, createAsync } from '@solidjs/router';
import { ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { instanceUpgrades, upgradeHref, type UpgradeView } from '../data/upgrades.ts';
import { errorMessage, formatDateTime } from '../lib/format.ts';
import { ExternalLink } from './external-link.tsx';
import { Loading } from './loading.tsx';
import { UpgradeStatusBadge } from './upgrade-status-badge.tsx';

const requester = (u: UpgradeView) => (u.campaignId ? 'a campaign' : u.requestedBy);

/** Every upgrade of an instance, newest first: from → to, its state, who asked, and its lifecycle. */
export function UpgradeHistory(props: { instanceId: string }) {
  const list = createAsync(() => instanceUpgrades(props.instanceId));
  return (
    <section class="detail-section" aria-labelledby="upgrades-title" data-testid="upgrade-history">
      <h3 id="upgrades-title">Upgrades</h3>
      <ErrorBoundary fallback={(err) => <p class="muted">The upgrades could not be loaded: {errorMessage(err)}</p>}>
        <Suspense fallback={<Loading label="Loading the upgrades…" />}>
          <Show when={list()}>
            {(l) => (
              <Show when={l().items.length} fallback={<p class="muted small">No upgrade yet: the instance is on the version it was installed with.</p>}>
                <div class="table-scroll">
                  <table class="plain-table upgrades-table">
                    <caption class="visually-hidden">Upgrades of {props.instanceId}, newest first</caption>
                    <thead>
                      <tr>
                        <th scope="col">Upgrade</th>
                        <th scope="col">Status</th>
                        <th scope="col">Requested by</th>
                        <th scope="col">Started</th>
                        <th scope="col">Lifecycle</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={l().items}>
                        {(u) => (
                          <tr data-testid="upgrade-row" data-version={u.toVersion} data-status={u.status}>
                            <th scope="row">
                              <A href={upgradeHref(props.instanceId, u.toVersion)}>
                                <code>v{u.fromVersion}</code> <span aria-hidden="true">→</span>
                                <span class="visually-hidden"> to </span> <code>v{u.toVersion}</code>
                              </A>
                            </th>
                            <td>
                              <UpgradeStatusBadge status={u.status} />
                            </td>
                            <td>{requester(u)}</td>
                            <td class="nowrap">
                              <time datetime={u.createdAt}>{formatDateTime(u.createdAt)}</time>
                            </td>
                            <td class="nowrap">
                              <ExternalLink href={u.temporalUrl}>
                                Temporal<span class="visually-hidden">: the upgrade to v{u.toVersion}</span>
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
    </section>
  );
}
