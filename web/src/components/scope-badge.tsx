import type { Scope } from '../../../domain/spec.ts';

const LABELS: Record<Scope, string> = { global: 'global', 'tenant-local': 'tenant-local' };

export function ScopeBadge(props: { scope: Scope }) {
  return (
    <span class={`badge scope scope-${props.scope}`} data-scope={props.scope}>
      <span class="visually-hidden">Scope: </span>
      {LABELS[props.scope] ?? props.scope}
    </span>
  );
}
