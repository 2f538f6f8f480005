import type { ChangeKind } from '../data/upgrades.ts';

const WORDS: Record<ChangeKind | 'initial', string> = {
  breaking: 'breaking',
  'non-breaking': 'non-breaking',
  patch: 'patch',
  initial: 'initial',
};

/** A change kind as one badge (a plan, a reason, a campaign); a version row uses ChangeKindBadge, with its reasons. */
export function ChangeKindChip(props: { kind: ChangeKind | 'initial'; testId?: string }) {
  return (
    <span class={`badge change change-${props.kind}`} data-testid={props.testId ?? 'change-kind'} data-kind={props.kind}>
      <span class="visually-hidden">Change: </span>
      {WORDS[props.kind] ?? props.kind}
    </span>
  );
}
