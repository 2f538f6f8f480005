import { A, createAsync, revalidate, useParams } from '@solidjs/router';
import { createEffect, ErrorBoundary, onCleanup, Show, Suspense } from 'solid-js';
import { CampaignDetail, TERMINAL_CAMPAIGN } from '../components/campaign-progress.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { ExternalLink } from '../components/external-link.tsx';
import { Loading } from '../components/loading.tsx';
import { templateHref } from '../components/template-card.tsx';
import { templateCampaign } from '../data/upgrades.ts';
import { usePageTitle } from '../lib/page-title.ts';

const POLL_MS = 2000;

/** One upgrade campaign (`/marketplace/:id/campaigns/:version`), for the template's publisher; live until it ends. */
export function CampaignPage() {
  const params = useParams<{ id: string; version: string }>();
  usePageTitle(() => `Campaign ${params.id} v${params.version}`);
  const campaign = createAsync(() => templateCampaign(params.id, params.version));
  createEffect(() => {
    const c = campaign();
    if (!c || TERMINAL_CAMPAIGN.includes(c.status)) return;
    const timer = setTimeout(() => void revalidate(templateCampaign.keyFor(params.id, params.version)), POLL_MS);
    onCleanup(() => clearTimeout(timer));
  });
  return (
    <div class="campaign-page">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/marketplace">Marketplace</A> <span aria-hidden="true">/</span> <A href={templateHref(params.id)}>{params.id}</A> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">Campaign v{params.version}</span>
      </nav>
      <div class="page-head">
        <h1>Upgrade campaign for v{params.version}</h1>
        <code class="row-id">{params.id}</code>
        <p class="lede">
          Every instance whose upgrade policy allows this version is upgraded in waves; a wave whose smoke runs or watch windows fail is rolled back and the
          campaign stops. Counts only: the installing tenants see their own instances' upgrades.
        </p>
      </div>
      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(templateCampaign.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the campaign…" />}>
          <Show when={campaign()}>
            {(c) => (
              <section class="card side-card" aria-label="Progress">
                <CampaignDetail campaign={c()} />
                <Show when={(c() as { temporalUrl?: string }).temporalUrl}>
                  {(url) => (
                    <p class="small">
                      <ExternalLink href={url()}>Open in Temporal</ExternalLink> <code class="workflow-id muted">{c().campaignId}</code>
                    </p>
                  )}
                </Show>
              </section>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
