import { For, Show } from 'solid-js';
import type { CatalogDetail } from '../data/catalog.ts';
import { formatDateTime, formatDuration } from '../lib/format.ts';

const CERTIFICATION: Record<string, string> = {
  none: 'not certified',
  certified: 'certified',
  stale: 'certification stale',
  revoked: 'certification revoked',
};

const percent = (rate: number) => `${(rate * 100).toFixed(rate < 0.1 && rate > 0 ? 1 : 0)} %`;

/** Who stands behind the workflow, and how its runs have gone lately. */
export function CatalogTrust(props: { detail: CatalogDetail }) {
  const t = () => props.detail.trust;
  const h = () => props.detail.health;
  const noRuns = () => h().runCount === 0 && !h().lastRunAt;
  return (
    <div class="trust-health">
      <section class="detail-section" aria-labelledby="trust-title">
        <h3 id="trust-title">Trust</h3>
        <Show when={t().badges.length || t().certified}>
          <ul class="roles trust-badges" aria-label="Trust badges">
            <Show when={t().certified && !t().badges.includes('certified')}>
              <li class="badge certified">certified</li>
            </Show>
            <For each={t().badges}>{(b) => <li class={`badge trust-badge ${b === 'certified' ? 'certified' : ''}`} data-testid="trust-badge">{b}</li>}</For>
          </ul>
        </Show>
        <Show when={t().warnings.length}>
          <ul class="trust-warnings">
            <For each={t().warnings}>
              {(w) => (
                <li class="banner banner-warn" data-testid="trust-warning">
                  {w}
                </li>
              )}
            </For>
          </ul>
        </Show>
        <dl class="facts">
          <div>
            <dt>Author</dt>
            <dd>{t().author ?? <span class="muted">unknown</span>}</dd>
          </div>
          <div>
            <dt>Owner team</dt>
            <dd>{t().ownerTeam ?? props.detail.ownerTeam ?? <span class="muted">none named</span>}</dd>
          </div>
          <div>
            <dt>Publish approver</dt>
            <dd>
              {t().reviewer ??
                (t().lastReviewedAt ? (
                  <span class="muted">reviewed (the reviewer's name stays with the owning tenant)</span>
                ) : (
                  <span class="muted">published without review</span>
                ))}
            </dd>
          </div>
          <div>
            <dt>Last reviewed</dt>
            <dd>{t().lastReviewedAt ? <time datetime={t().lastReviewedAt}>{formatDateTime(t().lastReviewedAt!)}</time> : <span class="muted">never</span>}</dd>
          </div>
          <div>
            <dt>Certification</dt>
            <dd data-testid="certification" data-state={t().certificationState}>
              {CERTIFICATION[t().certificationState] ?? t().certificationState}
            </dd>
          </div>
        </dl>
      </section>

      <section class="detail-section" aria-labelledby="health-title" data-testid="health">
        <h3 id="health-title">Health</h3>
        <p class="hint">
          Runs of the last {h().windowDays} days
          <Show when={h().computedAt}>
            {(at) => (
              <>
                , as of <time datetime={at()}>{formatDateTime(at())}</time>
              </>
            )}
          </Show>
          .
        </p>
        <Show
          when={!noRuns()}
          fallback={
            <p class="empty-inline" data-testid="no-runs">
              No runs yet.
            </p>
          }
        >
          <dl class="facts health-facts">
            <div>
              <dt>Runs</dt>
              <dd data-testid="run-count">{h().runCount.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Last run</dt>
              <dd>
                <Show when={h().lastRunStatus}>
                  {(s) => <span class={`badge run-badge st-${s()}`}>{s()}</span>}
                </Show>{' '}
                <Show when={h().lastRunAt} fallback={<span class="muted">—</span>}>
                  {(at) => <time datetime={at()}>{formatDateTime(at())}</time>}
                </Show>
              </dd>
            </div>
            <div>
              <dt>Failure rate</dt>
              <dd classList={{ 'failure-high': (h().failureRate ?? 0) >= 0.2 }}>{h().failureRate === undefined ? <span class="muted">—</span> : percent(h().failureRate!)}</dd>
            </div>
            <div>
              <dt>Average duration</dt>
              <dd>{h().avgDurationMs === undefined ? <span class="muted">—</span> : formatDuration(h().avgDurationMs!)}</dd>
            </div>
          </dl>
        </Show>
      </section>
    </div>
  );
}
