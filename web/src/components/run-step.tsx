import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { parseTaskRef } from '../../../domain/manifest.ts';
import type { RunStep as Step, RunView } from '../data/runs.ts';
import { formatDuration, formatTime } from '../lib/format.ts';
import { JsonView } from './json-view.tsx';
import { StatusBadge, statusIcon } from './status-badge.tsx';
import { StepApproval } from './step-approval.tsx';

const ACTIVE = new Set(['running', 'waiting_approval']);

/** Start time and how long a step took (or has taken so far). */
export function StepTiming(props: { step: Step; now: number }) {
  const ms = () => {
    const start = props.step.startedAt ? Date.parse(props.step.startedAt) : NaN;
    const end = props.step.finishedAt ? Date.parse(props.step.finishedAt) : ACTIVE.has(props.step.status) ? props.now : NaN;
    return end - start;
  };
  return (
    <Show when={props.step.startedAt}>
      {(at) => (
        <span class="step-timing">
          <time datetime={at()}>{formatTime(at())}</time>
          <Show when={Number.isFinite(ms())}>
            {' · '}
            <span class="duration">
              {formatDuration(Math.max(0, ms()))}
              {props.step.finishedAt ? '' : ' so far'}
            </span>
          </Show>
        </span>
      )}
    </Show>
  );
}

export function TaskLink(props: { task: string }) {
  const ref = () => parseTaskRef(props.task);
  return (
    <Show when={ref()} fallback={<code class="task-ref">{props.task}</code>}>
      {(r) => (
        <A class="task-ref" href={`/tasks/${encodeURIComponent(r().name)}?version=${encodeURIComponent(r().version)}`}>
          {props.task}
        </A>
      )}
    </Show>
  );
}

/** One step of a run: status, task, timing, error, approval, output. */
export function RunStep(props: { step: Step; run: RunView; now: number }) {
  const s = () => props.step;
  return (
    <li class="run-step" data-testid="run-step" data-step-id={s().id} data-status={s().status}>
      <span class={`step-dot st-${s().status}`} aria-hidden="true">
        {statusIcon(s().status)}
      </span>
      <div class="step-main">
        <div class="step-head">
          <h3 class="step-id">
            {s().id}
            <Show when={s().name && s().name !== s().id}>
              <span class="step-title"> {s().name}</span>
            </Show>
          </h3>
          <Show when={s().task}>{(t) => <TaskLink task={t()} />}</Show>
          <StatusBadge status={s().status} label />
          <StepTiming step={s()} now={props.now} />
        </div>
        <Show when={s().error}>
          {(e) => (
            <p class="step-error" data-testid="step-error">
              <code class="error-code">{e().code}</code> {e().message}
            </p>
          )}
        </Show>
        <Show when={s().approval ? (s() as Step & { approval: NonNullable<Step['approval']> }) : undefined}>
          {(withApproval) => <StepApproval run={props.run} step={withApproval()} />}
        </Show>
        <Show when={s().output !== undefined}>
          <JsonView value={s().output} summary="Output" />
        </Show>
      </div>
    </li>
  );
}
