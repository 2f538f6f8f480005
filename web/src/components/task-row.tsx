import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { AdapterGroup } from '../data/adapters.ts';
import { AdapterStatusBadge } from './adapter-status-badge.tsx';

/** One adapter in the Task Library list: its latest version and what it can do. */
export function TaskRow(props: { group: AdapterGroup }) {
  const v = () => props.group.latest;
  const m = () => v().manifest;
  const others = () => props.group.versions.length - 1;
  return (
    <li class="card task-row" data-testid="task-row" data-name={props.group.name}>
      <div class="row-main">
        <h3 class="row-title">
          <A href={`/tasks/${encodeURIComponent(props.group.name)}`} class="row-link">
            {m().metadata.title ?? props.group.name}
          </A>
        </h3>
        <code class="row-id">
          {props.group.name}@{v().version}
        </code>
        <Show when={others() > 0}>
          <span class="muted small">
            {' '}
            · {others()} older {others() === 1 ? 'version' : 'versions'}
          </span>
        </Show>
        <p class="row-desc">{m().metadata.description}</p>
        <ul class="capabilities" aria-label="Capabilities">
          <For each={m().spec.capabilities}>{(c) => <li class="capability">{c}</li>}</For>
        </ul>
      </div>
      <dl class="row-facts">
        <div class="badges">
          <AdapterStatusBadge status={v().status} replacement={v().replacement} showReplacement />
        </div>
        <div>
          <dt>Runtime</dt>
          <dd>{m().spec.runtime}</dd>
        </div>
        <div>
          <dt>Task queue</dt>
          <dd>
            <code>{v().taskQueue}</code>
          </dd>
        </div>
        <div>
          <dt>Publisher</dt>
          <dd>{m().metadata.publisher ?? '—'}</dd>
        </div>
      </dl>
    </li>
  );
}
