import { For, Show } from 'solid-js';
import type { ControlOutcome, EvidenceItem } from '../../../domain/trust.ts';
import { shortDigest } from '../lib/dsse.ts';
import { JsonView } from './json-view.tsx';

/**
 * The automated evidence of one review kind: each check pass/fail with its reason, the
 * data it looked at, its digest and the workflow run that produced it.
 */
export function ReviewEvidence(props: { items: EvidenceItem[]; gathering?: boolean }) {
  const failed = () => props.items.filter((i) => !i.ok).length;
  return (
    <Show
      when={props.items.length}
      fallback={<p class="muted" data-testid="no-evidence">{props.gathering ? 'The review is gathering its evidence…' : 'No evidence recorded.'}</p>}
    >
      <p class="evidence-summary" data-testid="evidence-summary">
        {props.items.length - failed()} of {props.items.length} checks pass
        <Show when={failed()}>
          {' '}
          · <strong class="failure-high">{failed()} failed</strong>
        </Show>
      </p>
      <ol class="evidence-list">
        <For each={props.items}>
          {(item) => (
            <li class="evidence-item" classList={{ 'evidence-failed': !item.ok }} data-testid="evidence-item" data-id={item.id} data-ok={String(item.ok)}>
              <div class="evidence-head">
                <span class={`chip ${item.ok ? 'chip-ok' : 'chip-danger'}`}>{item.ok ? '✓ pass' : '✕ fail'}</span>
                <strong class="evidence-title">{item.title}</strong>
                <code class="muted small">{item.id}</code>
              </div>
              <p class="evidence-reason">{item.reason}</p>
              <Show when={item.data !== undefined}>
                <JsonView value={item.data} summary="Data checked" />
              </Show>
              <p class="evidence-meta muted small">
                <code title={item.digest}>{shortDigest(item.digest)}</code> · by <code>{item.producedBy.activity ?? 'activity'}</code> in <code>{item.producedBy.workflowId}</code>
              </p>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}

/** The controls of the control catalog the evidence rests on, satisfied or not. */
export function ControlList(props: { controls: ControlOutcome[]; evidenceIds?: Set<string> }) {
  const shown = () => (props.evidenceIds ? props.controls.filter((c) => c.evidence.some((e) => props.evidenceIds!.has(e))) : props.controls);
  return (
    <Show when={shown().length}>
      <ul class="control-list" aria-label="Controls" data-testid="controls">
        <For each={shown()}>
          {(c) => (
            <li data-testid="control" data-id={c.id} data-satisfied={String(c.satisfied)}>
              <span class={`chip ${c.satisfied ? 'chip-ok' : 'chip-danger'}`}>{c.satisfied ? '✓' : '✕'}</span> {c.title} <code class="muted small">{c.id}</code>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
