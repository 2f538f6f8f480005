import { A } from '@solidjs/router';
import { createUniqueId, For, Show } from 'solid-js';
import type { CatalogEntry } from '../data/catalog.ts';
import { isHighRisk } from '../data/definitions.ts';
import { formatDate } from '../lib/format.ts';
import { RiskBadge } from './risk-badge.tsx';
import { ScopeBadge } from './scope-badge.tsx';
import { TrustBadges } from './trust-badges.tsx';

export const catalogEntryHref = (id: string) => `/catalog/${encodeURIComponent(id)}`;

/**
 * One result in the catalog feed, at a fixed height (the list is windowed). The row itself
 * is the keyboard stop (roving tabindex, Enter opens); its title stays a link for pointers.
 * `entry` is undefined while its page is loading: a placeholder of the same size.
 */
export function CatalogRow(props: {
  index: number;
  entry: CatalogEntry | undefined;
  top: number;
  height: number;
  setSize: number;
  tabIndex: number;
  onFocus: (index: number) => void;
}) {
  const id = createUniqueId();
  const e = () => props.entry;
  const high = () => isHighRisk(e()?.risk ?? '');
  return (
    <article
      class="catalog-row"
      classList={{ 'row-high-risk': high(), 'row-critical': e()?.risk === 'critical', 'row-placeholder': !e() }}
      data-testid={e() ? 'catalog-row' : 'catalog-row-placeholder'}
      data-id={e()?.id}
      data-index={props.index}
      data-risk={e()?.risk}
      tabIndex={props.tabIndex}
      aria-posinset={props.index + 1}
      aria-setsize={props.setSize}
      aria-labelledby={e() ? `${id}-title` : undefined}
      aria-describedby={e() ? `${id}-desc` : undefined}
      aria-label={e() ? undefined : `Result ${props.index + 1}, loading`}
      aria-busy={!e()}
      style={{ top: `${props.top}px`, height: `${props.height}px` }}
      onFocus={() => props.onFocus(props.index)}
    >
      <Show when={e()} fallback={<RowPlaceholder />}>
        {(entry) => (
          <>
            <div class="row-main">
              <h3 class="row-title">
                <A href={catalogEntryHref(entry().id)} class="row-link" id={`${id}-title`} tabIndex={-1}>
                  {entry().title || entry().name}
                </A>
                <code class="row-id">{entry().id}</code>
              </h3>
              <p class="row-desc" id={`${id}-desc`}>
                {entry().description}
              </p>
              <div class="row-bottom">
                <TrustBadges trust={entry().trust} status={entry().status} class="row-trust" />
                <Show when={high()}>
                  <span class="row-approval" data-testid="row-approval-note">
                    <span aria-hidden="true">‖ </span>Runs need approval
                  </span>
                </Show>
                <Show when={entry().tags.length}>
                  <ul class="tags row-tags" aria-label="Tags">
                    <For each={entry().tags}>{(tag) => <li class="tag">#{tag}</li>}</For>
                  </ul>
                </Show>
              </div>
            </div>
            <div class="row-side">
              <div class="badges">
                <RiskBadge risk={entry().risk} />
                <ScopeBadge scope={entry().scope} />
              </div>
              <p class="row-meta">
                <span class="row-category">{entry().category}</span>
                <span aria-hidden="true"> · </span>
                <code>v{entry().latestVersion}</code>
                <span aria-hidden="true"> · </span>
                <span>{entry().ownerTeam ?? entry().owner ?? entry().tenantId}</span>
              </p>
              <p class="row-meta row-updated">
                updated <time datetime={entry().updatedAt}>{formatDate(entry().updatedAt)}</time>
              </p>
            </div>
          </>
        )}
      </Show>
    </article>
  );
}

function RowPlaceholder() {
  return (
    <div class="row-main" aria-hidden="true">
      <span class="skeleton skeleton-title" />
      <span class="skeleton skeleton-line" />
      <span class="skeleton skeleton-short" />
    </div>
  );
}
