import { createAsync } from '@solidjs/router';
import { ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { templateUsage, type TemplateUsage } from '../data/marketplace.ts';
import { Loading } from './loading.tsx';

/**
 * The publisher's view of its template in use: per version, how many tenants installed it,
 * instances, runs and failures — aggregates only. Installers are named only for a
 * partner-curated template (its list is the publisher's own); their parameters, secrets,
 * endpoints and runs never reach this page.
 */
/** What the usage adds for upgrades (issue 11): the newest version and how many instances lag behind it. */
type UsageWithLag = TemplateUsage & Partial<{ latestVersion: string; instances: number; lagging: number }>;

export function TemplateUsagePanel(props: { templateId: string }) {
  const usage = createAsync(() => templateUsage(props.templateId) as Promise<UsageWithLag>);
  return (
    <section class="detail-section" aria-labelledby="usage-title" data-testid="template-usage">
      <h3 id="usage-title">Usage by installing tenants</h3>
      <p class="hint">Aggregates only: never an installer's parameters, secrets, endpoints or runs.</p>
      <ErrorBoundary fallback={(err) => <p class="muted">The usage could not be loaded: {err instanceof Error ? err.message : String(err)}</p>}>
        <Suspense fallback={<Loading label="Loading the usage…" />}>
          <Show when={usage()}>
            {(u) => (
              <>
                <Show when={u().lagging !== undefined && u().latestVersion ? { lagging: u().lagging!, latest: u().latestVersion!, total: u().instances ?? 0 } : undefined}>
                  {(l) => (
                    <p class="small" data-testid="usage-lagging" data-lagging={l().lagging}>
                      {l().total} {l().total === 1 ? 'instance' : 'instances'} installed;{' '}
                      <Show when={l().lagging} fallback={<>all on the newest version, <code>v{l().latest}</code>.</>}>
                        <strong>{l().lagging}</strong> not on the newest version, <code>v{l().latest}</code>.
                      </Show>
                    </p>
                  )}
                </Show>
                <div class="table-scroll">
                  <table class="plain-table">
                    <thead>
                      <tr>
                        <th scope="col">Version</th>
                        <th scope="col">Installing tenants</th>
                        <th scope="col">Instances</th>
                        <th scope="col">Runs</th>
                        <th scope="col">Failure rate</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={u().versions} fallback={<tr><td colSpan={5} class="muted">No version installed yet.</td></tr>}>
                        {(v) => (
                          <tr data-testid="usage-row" data-version={v.version}>
                            <th scope="row">
                              <code>v{v.version}</code>
                              <Show when={v.version === u().latestVersion}>
                                {' '}
                                <span class="chip">latest</span>
                              </Show>
                              <Show when={u().latestVersion && v.version !== u().latestVersion && v.instances > 0}>
                                {' '}
                                <span class="chip lag-chip">lagging</span>
                              </Show>
                            </th>
                            <td data-testid="usage-tenants">{v.installingTenants}</td>
                            <td>{v.instances}</td>
                            <td>{v.runs}</td>
                            <td>{v.failureRate === undefined ? <span class="muted">—</span> : `${Math.round(v.failureRate * 100)} %`}</td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
                <Show when={u().installers}>
                  {(names) => (
                    <p class="small" data-testid="installers">
                      Installed by (partner-curated): {names().length ? names().join(', ') : <span class="muted">nobody yet</span>}
                    </p>
                  )}
                </Show>
              </>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </section>
  );
}
