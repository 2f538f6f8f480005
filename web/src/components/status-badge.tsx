import type { RunStatus, StepStatus } from '../data/runs.ts';

const ICONS: Record<StepStatus, string> = {
  pending: '○',
  running: '◔',
  waiting_approval: '‖',
  completed: '✓',
  failed: '✕',
  skipped: '↷',
  cancelled: '⊘',
};

export const statusIcon = (s: StepStatus | RunStatus) => ICONS[s] ?? '•';

const LABELS: Partial<Record<StepStatus, string>> = { waiting_approval: 'waiting for approval' };

/** A run's or step's status; the text inside `.status-text` is the status as the API names it. */
export function StatusBadge(props: { status: StepStatus | RunStatus; testId?: string; label?: boolean }) {
  return (
    <span class={`badge run-badge st-${props.status}`}>
      <span class="st-icon" aria-hidden="true">
        {statusIcon(props.status)}
      </span>
      <span class="status-text" data-testid={props.testId} data-status={props.status}>
        {props.label ? (LABELS[props.status as StepStatus] ?? props.status.replace(/_/g, ' ')) : props.status}
      </span>
    </span>
  );
}
