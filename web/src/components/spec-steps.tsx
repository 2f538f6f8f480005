import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { parseTaskRef } from '../../../domain/manifest.ts';
import { isParallel, type Step } from '../../../domain/spec-types.ts';

/** What a workflow does, step by step, with each task linked to the Task Library. */
export function SpecSteps(props: { steps: Step[] }) {
  return (
    <ol class="spec-steps">
      <For each={props.steps}>
        {(step) => (
          <li>
            <Show
              when={isParallel(step) ? step : undefined}
              fallback={<TaskLine step={step as Extract<Step, { task: string }>} />}
            >
              {(p) => (
                <>
                  <span class="step-name">{p().name ?? p().id}</span> <span class="muted small">in parallel:</span>
                  <SpecSteps steps={p().parallel} />
                </>
              )}
            </Show>
          </li>
        )}
      </For>
    </ol>
  );
}

function TaskLine(props: { step: Extract<Step, { task: string }> }) {
  const ref = () => parseTaskRef(props.step.task);
  return (
    <>
      <span class="step-name">{props.step.name ?? props.step.id}</span>{' '}
      <Show when={ref()} fallback={<code>{props.step.task}</code>}>
        {(r) => (
          <A class="task-ref" href={`/tasks/${encodeURIComponent(r().name)}?version=${encodeURIComponent(r().version)}`}>
            {props.step.task}
          </A>
        )}
      </Show>
      <Show when={props.step.when}>
        <span class="muted small"> when {props.step.when}</span>
      </Show>
    </>
  );
}
