import type { InstanceStatus } from '../data/marketplace.ts';

const CLASSES: Record<InstanceStatus, string> = {
  installing: 'st-running',
  active: 'st-completed',
  disabled: 'st-skipped',
  uninstalling: 'st-waiting_approval',
  uninstalled: 'st-cancelled',
};

export function InstanceStatusBadge(props: { status: InstanceStatus }) {
  return (
    <span class={`badge run-badge ${CLASSES[props.status] ?? 'st-pending'}`} data-testid="instance-status" data-status={props.status}>
      <span class="visually-hidden">Instance status: </span>
      {props.status}
    </span>
  );
}

const INSTALL_CLASSES: Record<string, string> = {
  checking: 'st-running',
  installing: 'st-running',
  awaiting_override: 'st-waiting_approval',
  awaiting_approval: 'st-waiting_approval',
  installed: 'st-completed',
  denied: 'st-failed',
  invalid: 'st-failed',
  rejected: 'st-failed',
  failed: 'st-failed',
};

/** The state of an install lifecycle, as GET /installs/{id} names it. */
export function InstallStatusBadge(props: { status: string }) {
  return (
    <span class={`badge run-badge ${INSTALL_CLASSES[props.status] ?? 'st-pending'}`} data-testid="install-status" data-status={props.status}>
      <span class="visually-hidden">Install: </span>
      {props.status.replace(/_/g, ' ')}
    </span>
  );
}
