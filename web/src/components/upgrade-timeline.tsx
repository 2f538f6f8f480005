import { For } from 'solid-js';
import type { UpgradeView } from '../data/upgrades.ts';

type Phase = 'planning' | 'awaiting_approval' | 'applying' | 'smoke_testing' | 'watching' | 'end';
type Mark = 'done' | 'current' | 'failed' | 'pending' | 'skipped';

const ORDER: Phase[] = ['planning', 'awaiting_approval', 'applying', 'smoke_testing', 'watching', 'end'];

const END_WORDS: Record<string, string> = {
  upgraded: 'Upgraded',
  rolled_back: 'Rolled back',
  rolling_back: 'Rolling back',
  rejected: 'Rejected',
  blocked: 'Blocked',
  failed: 'Failed',
};

/** Where the lifecycle stopped short, for the states that end it early. */
function failedAt(u: UpgradeView): Phase | undefined {
  switch (u.status) {
    case 'blocked':
      return 'planning';
    case 'rejected':
      return 'awaiting_approval';
    case 'rolled_back':
    case 'rolling_back':
      return u.rollback?.code === 'WATCH_WINDOW_FAILED' || (u.smokeRun?.status === 'completed' && u.watch) ? 'watching' : u.smokeRun ? 'smoke_testing' : 'applying';
    default:
      return undefined;
  }
}

function marks(u: UpgradeView): Record<Phase, Mark> {
  const needsApproval = Boolean(u.plan?.approval.required || u.approvals.length || u.status === 'awaiting_approval');
  const hasSmoke = Boolean(u.plan?.smoke || u.smokeRun || u.status === 'smoke_testing');
  const hasWatch = Boolean(u.plan?.watch || u.watch || u.status === 'watching');
  const skipped: Partial<Record<Phase, boolean>> = { awaiting_approval: !needsApproval, smoke_testing: !hasSmoke, watching: !hasWatch };
  const stop = failedAt(u);
  const at: Phase = stop ?? (u.status === 'upgraded' || u.status === 'failed' ? 'end' : (u.status as Phase));
  const here = ORDER.indexOf(at);
  const out = {} as Record<Phase, Mark>;
  ORDER.forEach((phase, i) => {
    if (skipped[phase]) out[phase] = 'skipped';
    else if (i < here) out[phase] = 'done';
    else if (i === here) out[phase] = stop ? 'failed' : phase === 'end' ? (u.status === 'upgraded' ? 'done' : 'failed') : 'current';
    else out[phase] = 'pending';
  });
  // an early end still shows how it ended
  if (stop) out.end = u.status === 'rolling_back' ? 'current' : 'failed';
  return out;
}

const LABELS: Record<Phase, string> = {
  planning: 'Planning',
  awaiting_approval: 'Awaiting approval',
  applying: 'Applying',
  smoke_testing: 'Smoke testing',
  watching: 'Watching',
  end: 'Upgraded',
};

const ICONS: Record<Mark, string> = { done: '✓', current: '◔', failed: '✕', pending: '○', skipped: '↷' };
const CLASSES: Record<Mark, string> = { done: 'st-completed', current: 'st-running', failed: 'st-failed', pending: 'st-pending', skipped: 'st-skipped' };
const SAY: Record<Mark, string> = { done: 'done', current: 'in progress', failed: 'stopped here', pending: 'not yet', skipped: 'not needed' };

/** The upgrade lifecycle as a line of phases: planning → awaiting approval → applying → smoke testing → watching → its end. */
export function UpgradeTimeline(props: { upgrade: UpgradeView }) {
  const m = () => marks(props.upgrade);
  const label = (p: Phase) => (p === 'end' ? (END_WORDS[props.upgrade.status] ?? 'Upgraded') : LABELS[p]);
  return (
    <ol class="upgrade-timeline" aria-label="Upgrade lifecycle" data-testid="upgrade-timeline">
      <For each={ORDER}>
        {(p) => (
          <li class={`phase phase-${m()[p]}`} data-phase={p} data-mark={m()[p]} aria-current={m()[p] === 'current' ? 'step' : undefined}>
            <span class={`phase-dot badge ${CLASSES[m()[p]]}`} aria-hidden="true">
              {ICONS[m()[p]]}
            </span>
            <span class="phase-label">
              {label(p)}
              <span class="visually-hidden">: {SAY[m()[p]]}</span>
            </span>
          </li>
        )}
      </For>
    </ol>
  );
}
