import { A, createAsync } from '@solidjs/router';
import { ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { campaignHref, templateCampaigns } from '../data/upgrades.ts';
import { errorMessage, formatDateTime } from '../lib/format.ts';
import { CampaignBar, CampaignStatusBadge } from './campaign-progress.tsx';
import { Loading } from './loading.tsx';

/** The publisher's campaigns of a template, newest first: each new version's fan-out of upgrades. */
export function TemplateCampaigns(props: { templateId: string }) {
  const list = createAsync(() => templateCampaigns(props.templateId));
  return (
    <section class="detail-section" aria-labelledby="campaigns-title" data-testid="template-campaigns">
      <h3 id="campaigns-title">Upgrade campaigns</h3>
      <p class="hint">A non-breaking or patch version upgrades, in waves, every instance whose policy allows it. Counts only: installers stay unnamed.</p>
      <ErrorBoundary fallback={(err) => <p class="muted">The campaigns could not be loaded: {errorMessage(err)}</p>}>
        <Suspense fallback={<Loading label="Loading the campaigns…" />}>
          <Show when={list()}>
            {(l) => (
              <Show when={l().items.length} fallback={<p class="muted small">No campaign yet: a breaking version never starts one.</p>}>
                <ul class="campaign-list">
                  <For each={l().items}>
                    {(c) => (
                      <li class="card campaign-item" data-testid="campaign-item" data-version={c.toVersion} data-status={c.status}>
                        <div class="campaign-item-head">
                          <A href={campaignHref(props.templateId, c.toVersion)}>
                            Campaign for <code>v{c.toVersion}</code>
                          </A>
                          <CampaignStatusBadge status={c.status} />
                          <span class="muted small">
                            <time datetime={c.startedAt}>{formatDateTime(c.startedAt)}</time> · {c.waves.length} {c.waves.length === 1 ? 'wave' : 'waves'}
                          </span>
                        </div>
                        <CampaignBar campaign={c} />
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </section>
  );
}
