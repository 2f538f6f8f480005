import { A } from '@solidjs/router';
import { createUniqueId, For, Show } from 'solid-js';
import type { Risk } from '../../../domain/spec.ts';
import type { TemplateListItem } from '../data/marketplace.ts';
import { RiskBadge } from './risk-badge.tsx';
import { TrustBadges } from './trust-badges.tsx';
import { VisibilityBadge } from './visibility-badge.tsx';

export const templateHref = (id: string) => `/marketplace/${encodeURIComponent(id)}`;
export const installHref = (id: string) => `${templateHref(id)}/install`;

/** One marketplace offering: profile, publisher, trust, installs, and this tenant's instances of it. */
export function TemplateCard(props: { item: TemplateListItem; ownTenant?: string; canInstall: boolean }) {
  const id = createUniqueId();
  const t = () => props.item;
  const own = () => t().publisherTenant === props.ownTenant;
  return (
    <li class="card template-card" data-testid="template-card" data-id={t().id} aria-labelledby={`${id}-title`}>
      <div class="template-main">
        <h3 class="row-title" id={`${id}-title`}>
          <A href={templateHref(t().id)}>{t().title || t().name}</A>
          <span class="version">v{t().latestVersion}</span>
        </h3>
        <code class="row-id">{t().id}</code>
        <p class="row-desc">{t().summary || t().description}</p>
        <Show when={t().myInstances.length}>
          <ul class="my-instances" aria-label="Installed in your tenant">
            <For each={t().myInstances}>
              {(i) => (
                <li>
                  <A href={`/instances/${encodeURIComponent(i.id)}`} class="chip chip-ok" data-testid="my-instance">
                    installed · {i.environment} · v{i.version}
                    {i.status !== 'active' ? ` · ${i.status}` : ''}
                  </A>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </div>
      <div class="template-side">
        <div class="badges">
          <VisibilityBadge visibility={t().visibility} />
          <RiskBadge risk={t().risk as Risk} />
        </div>
        <TrustBadges trust={t().trust} class="card-trust" />
        <dl class="side-facts">
          <div>
            <dt>Publisher</dt>
            <dd data-testid="publisher-tenant">
              {t().publisherTenant}
              <Show when={own()}>
                {' '}
                <span class="chip">your tenant</span>
              </Show>
            </dd>
          </div>
          <div>
            <dt>Installs</dt>
            <dd data-testid="installs-count" data-count={t().installs}>
              {t().installs} {t().installs === 1 ? 'tenant' : 'tenants'}
            </dd>
          </div>
          <div>
            <dt>Runs in</dt>
            <dd>
              {t().environments.join(', ')}
              <Show when={t().regions.length} fallback={<span class="muted"> · any region</span>}>
                {' '}
                · {t().regions.join(', ')}
              </Show>
            </dd>
          </div>
        </dl>
        <Show when={props.canInstall}>
          <A href={installHref(t().id)} class="button small primary" data-testid="install-link">
            Install<span class="visually-hidden"> {t().title || t().name}</span>
          </A>
        </Show>
      </div>
    </li>
  );
}
