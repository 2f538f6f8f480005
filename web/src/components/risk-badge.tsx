import type { Risk } from '../../../domain/spec.ts';

export function RiskBadge(props: { risk: Risk }) {
  return (
    <span class={`badge risk risk-${props.risk}`} data-risk={props.risk}>
      <span class="visually-hidden">Risk: </span>
      {props.risk}
      <span aria-hidden="true">risk</span>
    </span>
  );
}
