import { createMemo, createSignal, createUniqueId, For, Show } from 'solid-js';

/**
 * One facet as a native radio or checkbox list with counts. Options are keyed by value, so
 * the inputs (and the focus on them) survive new counts arriving. Selected values stay
 * listed even when the current counts no longer include them (count 0).
 */
export function FacetGroup(props: {
  /** the URL/API parameter, e.g. "category" */
  name: string;
  legend: string;
  kind: 'radio' | 'checkbox';
  /** values in display order */
  values: string[];
  /** counts by value; a value without one shows no count */
  counts?: Map<string, number>;
  selected: string[];
  onChange: (value: string | undefined, checked: boolean) => void;
  label?: (value: string) => string;
  /** radio lists start with this option, which clears the filter */
  anyLabel?: string;
  /** a line under the legend */
  note?: string;
  /** options shown before "Show all" */
  limit?: number;
}) {
  const id = createUniqueId();
  const [expanded, setExpanded] = createSignal(false);
  const limit = () => props.limit ?? 8;
  const all = createMemo(() => {
    const seen = new Set(props.values);
    return [...props.values, ...props.selected.filter((v) => !seen.has(v))];
  });
  const shown = createMemo(() => {
    const list = all();
    if (expanded() || list.length <= limit()) return list;
    const head = list.slice(0, limit());
    return [...head, ...props.selected.filter((v) => !head.includes(v))];
  });
  const hidden = () => all().length - shown().length;
  const isSelected = (v: string) => props.selected.includes(v);
  const count = (v: string) => (props.counts ? (props.counts.get(v) ?? 0) : undefined);

  return (
    <Show when={all().length}>
      <fieldset class="facet" data-testid="facet" data-facet={props.name}>
        <legend class="facet-legend">{props.legend}</legend>
        <Show when={props.note}>
          <p class="facet-note">{props.note}</p>
        </Show>
        <ul class="facet-options" id={`${id}-options`}>
          <Show when={props.kind === 'radio' && props.anyLabel}>
            <li>
              <label class="facet-option" data-testid="facet-option" data-facet={props.name} data-value="">
                <input type="radio" name={`${id}-${props.name}`} checked={props.selected.length === 0} onChange={() => props.onChange(undefined, true)} />
                <span class="facet-label">{props.anyLabel}</span>
              </label>
            </li>
          </Show>
          <For each={shown()}>
            {(value) => (
              <li>
                <label
                  class="facet-option"
                  classList={{ 'facet-zero': count(value) === 0, 'facet-selected': isSelected(value) }}
                  data-testid="facet-option"
                  data-facet={props.name}
                  data-value={value}
                  data-count={count(value)}
                >
                  <input
                    type={props.kind}
                    name={`${id}-${props.name}`}
                    value={value}
                    checked={isSelected(value)}
                    onChange={(e) => props.onChange(value, e.currentTarget.checked)}
                  />
                  <span class="facet-label">{props.label ? props.label(value) : value}</span>
                  <Show when={count(value) !== undefined}>
                    <span class="facet-count" data-testid="facet-count">
                      <span class="visually-hidden">(</span>
                      {count(value)?.toLocaleString()}
                      <span class="visually-hidden">)</span>
                    </span>
                  </Show>
                </label>
              </li>
            )}
          </For>
        </ul>
        <Show when={hidden() > 0 || expanded()}>
          <button type="button" class="linkish facet-more" aria-controls={`${id}-options`} aria-expanded={expanded()} onClick={() => setExpanded(!expanded())}>
            {expanded() ? 'Show fewer' : `Show all ${all().length}`}
          </button>
        </Show>
      </fieldset>
    </Show>
  );
}
