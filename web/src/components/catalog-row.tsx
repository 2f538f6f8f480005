import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { CatalogEntry } from '../data/catalog.ts';
import { formatDateTime } from '../lib/format.ts';
import { RiskBadge } from './risk-badge.tsx';
import { ScopeBadge } from './scope-badge.tsx';

export function CatalogRow(props: { entry: CatalogEntry }) {
  const e = () => props.entry;
  return (
    <li class="card catalog-row" data-testid="catalog-row" data-id={e().id}>
      <div class="row-main">
        <h3 class="row-title">
          <A href={`/catalog/${encodeURIComponent(e().id)}`} class="row-link">
            {e().title || e().name}
          </A>
        </h3>
        <code class="row-id">{e().id}</code>
        <p class="row-desc">{e().description}</p>
        <Show when={e().tags.length}>
          <ul class="tags" aria-label="Tags">
            <For each={e().tags}>{(tag) => <li class="tag">#{tag}</li>}</For>
          </ul>
        </Show>
      </div>
      <dl class="row-facts">
        <div class="badges">
          <RiskBadge risk={e().risk} />
          <ScopeBadge scope={e().scope} />
        </div>
        <div>
          <dt>Category</dt>
          <dd>{e().category}</dd>
        </div>
        <div>
          <dt>Latest</dt>
          <dd>
            <code>v{e().latestVersion}</code>
            <Show when={e().status && e().status !== 'published'}>
              {' '}
              <span class="status">{e().status}</span>
            </Show>
          </dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd>{e().ownerTeam ?? e().owner ?? e().tenantId}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <time datetime={e().updatedAt}>{formatDateTime(e().updatedAt)}</time>
          </dd>
        </div>
      </dl>
    </li>
  );
}
