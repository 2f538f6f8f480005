import { A, createAsync, revalidate, useNavigate, useParams } from '@solidjs/router';
import { ErrorBoundary, Show, Suspense } from 'solid-js';
import { ErrorPanel } from '../components/error-panel.tsx';
import { InstallWizard } from '../components/install-wizard.tsx';
import { Loading } from '../components/loading.tsx';
import { templateHref } from '../components/template-card.tsx';
import { template } from '../data/marketplace.ts';
import { tenantSecrets } from '../data/secrets.ts';
import { session } from '../data/session.ts';
import { usePageTitle } from '../lib/page-title.ts';

/** Install from Marketplace: bind a template version to this tenant's own secrets, endpoints, environment and quotas. */
export function InstallPage() {
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const detail = createAsync(() => template(params.id));
  const secrets = createAsync(() => tenantSecrets());
  usePageTitle(() => `Install ${params.id}`);
  const retry = (reset: () => void) => void Promise.all([revalidate(template.key), revalidate(tenantSecrets.key)]).then(reset);

  return (
    <div class="install-page">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/marketplace">Marketplace</A> <span aria-hidden="true">/</span> <A href={templateHref(params.id)}>{params.id}</A>{' '}
        <span aria-hidden="true">/</span> <span aria-current="page">Install</span>
      </nav>
      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => retry(reset)} />}>
        <Suspense fallback={<Loading label="Loading the template…" />}>
          <Show when={detail() && secrets() ? { t: detail()!, s: secrets()! } : undefined}>
            {(data) => (
              <>
                <div class="page-head">
                  <h1>Install {data().t.title ?? data().t.name}</h1>
                  <p class="lede">
                    Into <code>{session.actor()?.tenant ?? 'your tenant'}</code>, from <code>{data().t.publisherTenant}</code>. Bind your own secrets and endpoints: the
                    publisher's are never copied or reachable. The install runs as a lifecycle in Temporal, checked by policy, and yields an instance you run.
                  </p>
                </div>
                <InstallWizard
                  template={data().t}
                  ownSecrets={data().s.items.map((x) => x.name)}
                  onInstalled={(started) => navigate(`/instances/${encodeURIComponent(started.instanceId)}`)}
                />
              </>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
