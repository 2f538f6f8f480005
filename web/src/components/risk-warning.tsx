import type { Risk } from '../../../domain/spec.ts';

/** Shown before running a high or critical risk workflow: people will be asked to approve. */
export function RiskWarning(props: { risk: Risk }) {
  return (
    <div class={`banner banner-${props.risk === 'critical' ? 'danger' : 'warn'}`} role="note" data-testid="risk-warning">
      <strong>{props.risk === 'critical' ? 'Critical-risk workflow.' : 'High-risk workflow.'}</strong> Its approval steps wait for the people
      they name (never the person who started the run), and every decision is recorded with its rationale in the run's history. Check the
      parameters before you start it.
    </div>
  );
}
