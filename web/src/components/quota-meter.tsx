import { Show } from 'solid-js';

/** One quota and its use: "3 of 10", a meter when there is a limit, "no limit" otherwise. */
export function QuotaMeter(props: { label: string; used: number; limit?: number | undefined; testId?: string }) {
  const full = () => props.limit !== undefined && props.used >= props.limit;
  return (
    <div class="quota" classList={{ 'quota-full': full() }} data-testid={props.testId}>
      <dt>{props.label}</dt>
      <dd>
        <span class="quota-text">
          {props.used.toLocaleString()}
          <Show when={props.limit !== undefined} fallback={<span class="muted"> · no limit</span>}>
            {' '}
            of {props.limit!.toLocaleString()}
          </Show>
        </span>
        <Show when={props.limit !== undefined}>
          <meter min={0} max={props.limit} value={Math.min(props.used, props.limit!)} aria-label={`${props.label}: ${props.used} of ${props.limit}`} />
        </Show>
      </dd>
    </div>
  );
}
