import { For, Show } from 'solid-js';
import type { CampaignProgress, CampaignWave, ChangeKind } from '../data/upgrades.ts';
import { ChangeKindChip } from './change-kind-chip.tsx';
import { formatDateTime } from '../lib/format.ts';

const STATUS_CLASSES: Record<string, string> = {
  selecting: 'st-running',
  running: 'st-running',
  rolling_back: 'st-waiting_approval',
  completed: 'st-completed',
  halted: 'st-failed',
  nothing_to_do: 'st-skipped',
  pending: 'st-pending',
  passed: 'st-completed',
  failed: 'st-failed',
  rolled_back: 'st-failed',
};

export const TERMINAL_CAMPAIGN = ['completed', 'halted', 'nothing_to_do'];

/** What H3's read model adds to a wave and a campaign (optional until its API is merged). */
type Wave = CampaignWave & Partial<{ skipped: number; reverted: number }>;
type Campaign = CampaignProgress & Partial<{ changeKind: ChangeKind }>;

export function CampaignStatusBadge(props: { status: string; testId?: string }) {
  return (
    <span class={`badge run-badge ${STATUS_CLASSES[props.status] ?? 'st-pending'}`} data-testid={props.testId ?? 'campaign-status'} data-status={props.status}>
      <span class="visually-hidden">Status: </span>
      {props.status.replace(/_/g, ' ')}
    </span>
  );
}

export const campaignTotals = (c: CampaignProgress) => {
  const waves = c.waves as Wave[];
  const sum = (k: 'upgraded' | 'rolledBack' | 'failed' | 'reverted') => waves.reduce((n, w) => n + (w[k] ?? 0), 0);
  return { upgraded: sum('upgraded'), rolledBack: sum('rolledBack') + sum('reverted'), failed: sum('failed') };
};

/** How far a campaign got: upgraded of eligible, as a bar and in words. */
export function CampaignBar(props: { campaign: CampaignProgress }) {
  const t = () => campaignTotals(props.campaign);
  const pct = () => (props.campaign.eligible ? Math.round((t().upgraded / props.campaign.eligible) * 100) : 100);
  return (
    <Show when={props.campaign.eligible > 0} fallback={<p class="muted small" data-testid="campaign-bar">No instance had an upgrade policy that allows this version.</p>}>
      <div class="campaign-bar" data-testid="campaign-bar">
        <progress max={Math.max(props.campaign.eligible, 1)} value={props.campaign.eligible ? t().upgraded : 1} aria-label={`Upgraded ${t().upgraded} of ${props.campaign.eligible} instances`} />
        <span class="small">
          <strong>{t().upgraded}</strong> of {props.campaign.eligible} upgraded ({pct()} %)
          <Show when={t().rolledBack}>
            {' '}
            · <span class="text-danger">{t().rolledBack} rolled back</span>
          </Show>
          <Show when={t().failed}> · {t().failed} failed</Show>
        </span>
      </div>
    </Show>
  );
}

/**
 * One campaign, for its publisher: status, progress and each wave's counts. Counts only:
 * which tenants' instances were upgraded is for those tenants to see, not the publisher.
 */
export function CampaignDetail(props: { campaign: CampaignProgress }) {
  const c = () => props.campaign as Campaign;
  return (
    <div class="campaign-detail" data-testid="campaign-detail" data-status={c().status}>
      <p class="lifecycle-line">
        <CampaignStatusBadge status={c().status} />
        <Show when={c().changeKind}>{(k) => <ChangeKindChip kind={k()} />}</Show>
        <span class="muted small">started <time datetime={c().startedAt}>{formatDateTime(c().startedAt)}</time></span>
        <Show when={c().endedAt}>
          {(e) => (
            <span class="muted small">
              {' '}
              · ended <time datetime={e()}>{formatDateTime(e())}</time>
            </span>
          )}
        </Show>
      </p>
      <CampaignBar campaign={c()} />
      <Show when={c().error}>
        {(e) => (
          <div class="banner banner-danger" role="status" data-testid="campaign-error">
            {e().message} <code class="error-code">{e().code}</code>
          </div>
        )}
      </Show>
      <Show when={c().waves.length} fallback={<Show when={c().status !== 'nothing_to_do'}><p class="muted small">No wave yet.</p></Show>}>
        <div class="table-scroll">
          <table class="plain-table waves-table" data-testid="campaign-waves">
            <caption class="visually-hidden">Waves of the campaign for v{c().toVersion}</caption>
            <thead>
              <tr>
                <th scope="col">Wave</th>
                <th scope="col">Status</th>
                <th scope="col">Instances</th>
                <th scope="col">Upgraded</th>
                <th scope="col">Rolled back</th>
                <th scope="col">Reverted</th>
                <th scope="col">Failed</th>
                <th scope="col">Skipped</th>
              </tr>
            </thead>
            <tbody>
              <For each={c().waves as Wave[]}>
                {(w) => (
                  <tr data-testid="campaign-wave" data-index={w.index} data-status={w.status}>
                    <th scope="row">{w.index + 1}</th>
                    <td>
                      <CampaignStatusBadge status={w.status} testId="wave-status" />
                    </td>
                    <td>{w.instances}</td>
                    <td>
                      {w.upgraded}
                      <progress class="wave-progress" max={Math.max(w.instances, 1)} value={w.upgraded} aria-label={`Wave ${w.index + 1}: ${w.upgraded} of ${w.instances} upgraded`} />
                    </td>
                    <td>{w.rolledBack}</td>
                    <td title="Upgraded, then rolled back by the campaign because its wave failed">{w.reverted ?? <span class="muted">—</span>}</td>
                    <td>{w.failed}</td>
                    <td title="Blocked, rejected, already upgraded, or not started once the wave stopped">{w.skipped ?? <span class="muted">—</span>}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </div>
  );
}
