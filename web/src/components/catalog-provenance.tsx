import { For, Show } from 'solid-js';
import type { CatalogDetail } from '../data/catalog.ts';
import { formatDateTime } from '../lib/format.ts';
import { ExternalLink } from './external-link.tsx';

const LIFECYCLES: Record<string, string> = { publish: 'Publish', 'health-rollup': 'Health rollup', reindex: 'Reindex' };

/** What changed this entry's search document, newest first, each with the Temporal run that did it. */
export function CatalogProvenance(props: { detail: CatalogDetail }) {
  return (
    <Show when={props.detail.provenance.length} fallback={<p class="muted">No catalog updates recorded.</p>}>
      <p class="hint">Every change to this entry's search document is made by a lifecycle workflow; its history is in the Temporal Web UI.</p>
      <ol class="provenance-list">
        <For each={props.detail.provenance}>
          {(p) => (
            <li class="provenance-entry" data-testid="provenance-entry" data-lifecycle={p.lifecycle}>
              <div class="provenance-head">
                <span class={`chip lifecycle-${p.lifecycle}`}>{LIFECYCLES[p.lifecycle] ?? p.lifecycle}</span>
                <span class="provenance-reason">{p.reason ?? <span class="muted">no reason recorded</span>}</span>
                <time class="muted small" datetime={p.at}>
                  {formatDateTime(p.at)}
                </time>
              </div>
              <dl class="provenance-ids">
                <div>
                  <dt>Workflow</dt>
                  <dd>
                    <ExternalLink href={p.temporalUiUrl} testId="provenance-link">
                      <code>{p.workflowId}</code>
                    </ExternalLink>
                  </dd>
                </div>
                <div>
                  <dt>Run</dt>
                  <dd>
                    <code class="muted">{p.runId}</code>
                  </dd>
                </div>
              </dl>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
