import { For } from 'solid-js';
import type { UpgradeView } from '../data/upgrades.ts';
import { phaseMarks, PHASES, type Mark, type Phase } from '../lib/upgrade-phases.ts';

const END_WORDS: Record<string, string> = {
  upgraded: 'Upgraded',
  rolled_back: 'Rolled back',
  rolling_back: 'Rolling back',
  rejected: 'Rejected',
  blocked: 'Blocked',
  failed: 'Failed',
};

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
  const m = () => phaseMarks(props.upgrade);
  const label = (p: Phase) => (p === 'end' ? (END_WORDS[props.upgrade.status] ?? 'Upgraded') : LABELS[p]);
  return (
    <ol class="upgrade-timeline" aria-label="Upgrade lifecycle" data-testid="upgrade-timeline">
      <For each={PHASES}>
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
