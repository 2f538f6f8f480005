import type { ChangeKind } from '../data/upgrades.ts';

const WORDS: Record<ChangeKind | 'initial', string> = {
  breaking: 'breaking',
  'non-breaking': 'non-breaking',
  patch: 'patch',
  initial: 'initial',
};

/** The computed kind of a version's change: breaking in red, non-breaking in blue, patch in grey. */
export function ChangeKindBadge(props: { kind: ChangeKind | 'initial'; testId?: string }) {
  return (
    <span class={`badge change change-${props.kind}`} data-testid={props.testId ?? 'change-kind'} data-kind={props.kind}>
      <span class="visually-hidden">Change: </span>
      {WORDS[props.kind] ?? props.kind}
    </span>
  );
}
