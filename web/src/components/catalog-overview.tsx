import { For, Show } from 'solid-js';
import type { CatalogDetail } from '../data/catalog.ts';
import type { RunStarted } from '../data/definitions.ts';
import { formatDateTime, formatDuration } from '../lib/format.ts';
import { ApprovalRequirements } from './approval-requirements.tsx';
import { RunCard } from './run-card.tsx';

/** The first tab: what the workflow does, what a run will wait for, and the run form. */
export function CatalogOverview(props: { detail: CatalogDetail; onStarted: (run: RunStarted) => void }) {
  const d = () => props.detail;
  return (
    <div class="definition-layout">
      <div class="overview-main">
        <section class="detail-section overview-about" aria-label="Description">
          <p class="overview-desc">{d().description}</p>
          <Show when={d().tags.length}>
            <ul class="tags" aria-label="Tags">
              <For each={d().tags}>{(tag) => <li class="tag">#{tag}</li>}</For>
            </ul>
          </Show>
        </section>
        <ApprovalRequirements risk={d().risk} requirements={d().approvalRequirements} version={d().parameters.version} />
        <RunCard detail={d()} onStarted={props.onStarted} />
      </div>

      <aside class="definition-side">
        <section class="card side-card" aria-labelledby="facts-title">
          <h2 id="facts-title" class="section-title">
            About
          </h2>
          <dl class="side-facts">
            <div>
              <dt>Owner</dt>
              <dd>{d().ownerTeam ?? d().owner ?? d().tenantId}</dd>
            </div>
            <div>
              <dt>Tenant</dt>
              <dd>{d().tenantId}</dd>
            </div>
            <div>
              <dt>Visibility</dt>
              <dd>{d().visibility}</dd>
            </div>
            <div>
              <dt>Latest</dt>
              <dd>{d().latestVersion ? <code>v{d().latestVersion}</code> : <span class="muted">none published</span>}</dd>
            </div>
            <div>
              <dt>Updated</dt>
              <dd>
                <time datetime={d().updatedAt}>{formatDateTime(d().updatedAt)}</time>
              </dd>
            </div>
          </dl>
        </section>
        <section class="card side-card" aria-labelledby="health-side-title">
          <h2 id="health-side-title" class="section-title">
            Last {d().health.windowDays} days
          </h2>
          <Show when={d().health.runCount > 0 || d().health.lastRunAt} fallback={<p class="muted small">No runs yet.</p>}>
            <dl class="side-facts">
              <div>
                <dt>Runs</dt>
                <dd>{d().health.runCount.toLocaleString()}</dd>
              </div>
              <Show when={d().health.failureRate !== undefined}>
                <div>
                  <dt>Failures</dt>
                  <dd>{Math.round((d().health.failureRate ?? 0) * 100)} %</dd>
                </div>
              </Show>
              <Show when={d().health.avgDurationMs !== undefined}>
                <div>
                  <dt>Average</dt>
                  <dd>{formatDuration(d().health.avgDurationMs ?? 0)}</dd>
                </div>
              </Show>
            </dl>
          </Show>
          <Show when={d().trust.warnings.length}>
            <ul class="side-warnings">
              <For each={d().trust.warnings}>{(w) => <li>{w}</li>}</For>
            </ul>
          </Show>
        </section>
      </aside>
    </div>
  );
}
