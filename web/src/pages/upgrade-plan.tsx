import { A, createAsync, revalidate, useNavigate, useParams, useSearchParams } from '@solidjs/router';
import { ErrorBoundary, Show, Suspense } from 'solid-js';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { UpgradeForm } from '../components/upgrade-form.tsx';
import { definitionVersion } from '../data/definitions.ts';
import { instance } from '../data/marketplace.ts';
import { tenantSecrets } from '../data/secrets.ts';
import { upgradeHref } from '../data/upgrades.ts';
import { usePageTitle } from '../lib/page-title.ts';
import { instanceHref } from './instances.tsx';

/**
 * The plan of an upgrade (`/instances/:id/upgrade?to=<version>`): what the new version
 * changes for this instance, computed by the same planner the upgrade lifecycle runs, what
 * must be supplied, and whether a second tenant admin must approve; Start upgrade starts
 * the lifecycle and leads to its live page.
 */
export function UpgradePlanPage() {
  const params = useParams<{ id: string }>();
  const [search] = useSearchParams<{ to?: string }>();
  const navigate = useNavigate();
  usePageTitle(() => `Upgrade ${params.id}`);
  const inst = createAsync(() => instance(params.id));
  const secrets = createAsync(() => tenantSecrets());
  const toVersion = () => search.to ?? inst()?.upgradeAvailable?.version;
  const spec = createAsync(async () => {
    const i = inst();
    const to = toVersion();
    return i && to ? definitionVersion(i.definitionId, to) : undefined;
  });
  const retry = (reset: () => void) => void Promise.all([revalidate(instance.key), revalidate(tenantSecrets.key), revalidate(definitionVersion.key)]).then(reset);

  return (
    <div class="upgrade-page">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/instances">Instances</A> <span aria-hidden="true">/</span> <A href={instanceHref(params.id)}>{params.id}</A> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">Upgrade</span>
      </nav>
      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => retry(reset)} />}>
        <Suspense fallback={<Loading label="Loading the instance…" />}>
          <Show when={inst() && secrets() ? { i: inst()!, s: secrets()! } : undefined}>
            {(data) => (
              <>
                <div class="page-head">
                  <h1>
                    Upgrade {data().i.title}
                    <Show when={toVersion()}>{(v) => <> to v{v()}</>}</Show>
                  </h1>
                  <code class="row-id">{data().i.id}</code>
                  <p class="lede">
                    From <code>v{data().i.version}</code>. The plan below is a preview from the same planner the upgrade lifecycle runs: nothing changes until you
                    start it, and a failed smoke run or watch window rolls the instance back to its version and bindings.
                  </p>
                </div>
                <Show
                  when={toVersion()}
                  fallback={
                    <EmptyState title="No newer version to upgrade to.">
                      <p>
                        <code>{data().i.id}</code> is on <code>v{data().i.version}</code>, the latest version your tenant may install.
                      </p>
                    </EmptyState>
                  }
                >
                  {(to) => (
                    <Suspense fallback={<Loading label="Loading the new version…" />}>
                      <Show when={spec()}>
                        {(sp) => (
                          <UpgradeForm
                            instance={data().i}
                            toVersion={to()}
                            spec={sp().spec}
                            ownSecrets={data().s.items.map((x) => x.name)}
                            onStarted={(started) => navigate(upgradeHref(data().i.id, started.toVersion))}
                          />
                        )}
                      </Show>
                    </Suspense>
                  )}
                </Show>
              </>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
