import { For, Show } from 'solid-js';
import type { CatalogApprovalRequirement } from '../../../domain/catalog.ts';
import { isHighRisk } from '../data/definitions.ts';

function who(r: CatalogApprovalRequirement): string {
  const parts = [
    ...(r.roles.length ? [`${r.roles.length === 1 ? 'role' : 'roles'} ${r.roles.join(', ')}`] : []),
    ...(r.users.length ? [r.users.join(', ')] : []),
  ];
  return parts.length ? parts.join(' or ') : 'a reviewer';
}

/**
 * What a run will wait for, said before anyone presses Run: the risk warning for high and
 * critical workflows, and each approval step with who may decide and how many must.
 */
export function ApprovalRequirements(props: { risk: string; requirements: CatalogApprovalRequirement[]; version?: string }) {
  const high = () => isHighRisk(props.risk);
  return (
    <Show when={high() || props.requirements.length}>
      <section class="card approval-requirements" classList={{ 'requirements-high': high() }} aria-labelledby="requirements-title" data-testid="approval-requirements">
        <h2 id="requirements-title" class="requirements-title">
          <span aria-hidden="true">‖ </span>
          {props.requirements.length ? 'Runs need approval' : 'High-risk workflow'}
        </h2>
        <Show when={high()}>
          <p class="requirements-risk" data-testid="requirements-risk">
            <strong>{props.risk === 'critical' ? 'Critical' : 'High'}-risk workflow.</strong> Check the parameters before you start it: every
            decision on a run is recorded with its rationale in the run's history.
          </p>
        </Show>
        <Show
          when={props.requirements.length}
          fallback={<p class="muted">{props.version ? `Version ${props.version} has no approval step: a run does not wait for anyone.` : 'No published version yet.'}</p>}
        >
          <p class="hint">
            {props.version ? `Each run of version ${props.version} waits at these steps until enough people approve:` : 'Each run waits at these steps until enough people approve:'}
          </p>
          <ul class="requirement-list">
            <For each={props.requirements}>
              {(r) => (
                <li data-testid="approval-requirement" data-step-id={r.stepId}>
                  <strong>{r.title ?? r.stepId}</strong> <code class="muted small">{r.stepId}</code>
                  <span class="requirement-who">
                    {r.count} {r.count === 1 ? 'approval' : 'approvals'} from {who(r)}
                    <span class="muted"> · never the person who started the run</span>
                  </span>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>
    </Show>
  );
}
