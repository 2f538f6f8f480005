import { For, Show } from 'solid-js';
import type { CatalogDetail } from '../data/catalog.ts';
import { formatDateTime } from '../lib/format.ts';
import { ExternalLink } from './external-link.tsx';

/**
 * Who approved (or rejected) publishing each version, and why. The API shows these to the
 * owning tenant only, so an empty list means something different for a foreign entry.
 */
export function CatalogApprovals(props: { detail: CatalogDetail; viewerTenant?: string }) {
  const d = () => props.detail;
  /** the decision's publish lifecycle in the Temporal Web UI, known from the version it published */
  const lifecycleUrl = (workflowId: string) => d().versions.find((v) => v.provenance?.workflowId === workflowId)?.provenance?.temporalUiUrl;
  const foreign = () => props.viewerTenant !== undefined && props.viewerTenant !== d().tenantId;
  return (
    <Show
      when={d().approvals.length}
      fallback={
        <p class="muted" data-testid="approvals-empty">
          {foreign()
            ? `Publish approvals are not visible to your tenant: they belong to ${d().tenantId}.`
            : 'No publish approvals recorded: every version was published without review.'}
        </p>
      }
    >
      <ol class="approval-history">
        <For each={d().approvals}>
          {(a) => (
            <li class={`decision decision-${a.decision}`} data-testid="publish-approval" data-version={a.version} data-decision={a.decision}>
              <div class="approval-line">
                <strong>{a.decision === 'approve' ? 'Approved' : a.decision === 'reject' ? 'Rejected' : a.decision}</strong>{' '}
                <code class="version-number">v{a.version}</code> by {a.approver} <span class="muted">({a.approverTenant})</span>
                <time class="muted small" datetime={a.decidedAt}>
                  {' '}
                  · {formatDateTime(a.decidedAt)}
                </time>
              </div>
              <blockquote>{a.rationale}</blockquote>
              <p class="muted small">
                In publish workflow{' '}
                <Show when={lifecycleUrl(a.workflowId)} fallback={<code>{a.workflowId}</code>}>
                  {(url) => (
                    <ExternalLink href={url()}>
                      <code>{a.workflowId}</code>
                    </ExternalLink>
                  )}
                </Show>
              </p>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
