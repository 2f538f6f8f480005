import { createEffect, createSignal, createUniqueId, on, onCleanup } from 'solid-js';

const DEBOUNCE_MS = 200;

/**
 * Search as you type (debounced) and on Enter (at once). The committed query lives in the
 * URL; this box only holds what is being typed.
 */
export function SearchBox(props: {
  value: string;
  busy?: boolean;
  onSearch: (q: string) => void;
  /** accessible name of the input (default "Search catalog") */
  label?: string;
  placeholder?: string;
}) {
  const id = createUniqueId();
  const label = () => props.label ?? 'Search catalog';
  const [text, setText] = createSignal(props.value);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = () => timer !== undefined && clearTimeout(timer);
  onCleanup(cancel);

  // Back/forward changes the URL under us: show the query that is actually applied.
  createEffect(on(() => props.value, (v) => v !== text().trim() && setText(v), { defer: true }));

  const commit = (q: string) => {
    cancel();
    props.onSearch(q.trim());
  };

  return (
    <form
      role="search"
      class="search-box"
      onSubmit={(e) => {
        e.preventDefault();
        commit(text());
      }}
    >
      <label for={id} class="visually-hidden">
        {label()}
      </label>
      <span class="search-icon" aria-hidden="true">
        ⌕
      </span>
      <input
        id={id}
        type="search"
        aria-label={label()}
        placeholder={props.placeholder ?? 'Search workflows by name, description, tag…'}
        autocomplete="off"
        spellcheck={false}
        value={text()}
        onInput={(e) => {
          const q = e.currentTarget.value;
          setText(q);
          cancel();
          timer = setTimeout(() => commit(q), DEBOUNCE_MS);
        }}
      />
      <span class="search-status" aria-hidden="true">
        {props.busy ? 'Searching…' : ''}
      </span>
    </form>
  );
}
