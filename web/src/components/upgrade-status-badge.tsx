import { UPGRADE_STATUS_LABELS, type UpgradeStatus } from '../data/upgrades.ts';

const CLASSES: Record<UpgradeStatus, string> = {
  planning: 'st-running',
  blocked: 'st-failed',
  awaiting_override: 'st-waiting_approval',
  awaiting_approval: 'st-waiting_approval',
  applying: 'st-running',
  smoke_testing: 'st-running',
  watching: 'st-running',
  rolling_back: 'st-waiting_approval',
  upgraded: 'st-completed',
  rolled_back: 'st-failed',
  rejected: 'st-failed',
  failed: 'st-failed',
};

/** The state of an upgrade lifecycle, as GET /instances/{id}/upgrades names it. */
export function UpgradeStatusBadge(props: { status: UpgradeStatus; testId?: string }) {
  return (
    <span class={`badge run-badge ${CLASSES[props.status] ?? 'st-pending'}`} data-testid={props.testId ?? 'upgrade-status'} data-status={props.status}>
      <span class="visually-hidden">Upgrade: </span>
      {UPGRADE_STATUS_LABELS[props.status] ?? props.status.replace(/_/g, ' ')}
    </span>
  );
}
