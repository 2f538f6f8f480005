import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { CatalogDetail } from '../data/catalog.ts';
import { formatDateTime, statusLabel } from '../lib/format.ts';
import { ExternalLink } from './external-link.tsx';
import { ChangeKindBadge } from './change-kind-badge.tsx';

/** Every version: semver, what kind of change, changelog, status, and the publish lifecycle behind it. */
export function CatalogVersions(props: { detail: CatalogDetail }) {
  const d = () => props.detail;
  return (
    <Show when={d().versions.length} fallback={<p class="muted">No versions yet.</p>}>
      <div class="table-scroll">
        <table class="plain-table versions-table">
          <caption class="visually-hidden">Versions of {d().id}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Change</th>
              <th scope="col">Status</th>
              <th scope="col">Changelog</th>
              <th scope="col">Published</th>
              <th scope="col">Lifecycle</th>
            </tr>
          </thead>
          <tbody>
            <For each={d().versions}>
              {(v) => (
                <tr data-testid="version-row" data-version={v.version} data-status={v.status}>
                  <th scope="row">
                    <code class="version-number">v{v.version}</code>
                    <Show when={v.version === d().latestVersion}>
                      {' '}
                      <span class="chip">latest</span>
                    </Show>
                  </th>
                  <td data-label="Change">
                    <div class="cell">
                      <ChangeKindBadge change={v} />
                    </div>
                  </td>
                  <td data-label="Status">
                    <div class="cell">
                      <span class={`chip ${v.status === 'published' ? 'chip-ok' : 'chip-warn'}`}>{statusLabel(v.status)}</span>
                      <Show when={v.status === 'draft'}>
                        {/* before Request Publish: what the guardrails and the publish policy would decide */}
                        <A
                          class="block small"
                          data-testid="publish-what-if"
                          href={`/policy/what-if?operation=publish&definitionId=${encodeURIComponent(d().id)}&version=${encodeURIComponent(v.version)}`}
                        >
                          What if I publish?
                        </A>
                      </Show>
                    </div>
                  </td>
                  <td class="changelog" data-label="Changelog">
                    <div class="cell">{v.changelog ?? <span class="muted">—</span>}</div>
                  </td>
                  <td class="nowrap" data-label="Published">
                    <div class="cell">
                      <time datetime={v.publishedAt ?? v.createdAt}>{formatDateTime(v.publishedAt ?? v.createdAt)}</time>
                      <span class="block muted small">
                        {v.publishedAt ? 'published' : 'created'} by {v.createdBy}
                      </span>
                    </div>
                  </td>
                  <td data-label="Lifecycle">
                    <div class="cell">
                      <Show when={v.provenance} fallback={<span class="muted">—</span>}>
                        {(p) => (
                          <>
                            <ExternalLink href={p().temporalUiUrl} testId="version-lifecycle-link">
                              Publish workflow
                            </ExternalLink>
                            <code class="block muted small workflow-id">{p().workflowId}</code>
                          </>
                        )}
                      </Show>
                    </div>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
