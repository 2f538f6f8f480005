import { VISIBILITY_LABELS, type Visibility } from '../data/marketplace.ts';

/** A template's marketplace profile: who it is offered to. */
export function VisibilityBadge(props: { visibility: Visibility }) {
  return (
    <span class={`badge profile profile-${props.visibility}`} data-testid="profile-badge" data-visibility={props.visibility}>
      <span class="visually-hidden">Profile: </span>
      {VISIBILITY_LABELS[props.visibility] ?? props.visibility}
    </span>
  );
}
