import { createEffect, createSignal, createUniqueId, on, onCleanup } from 'solid-js';

const DEBOUNCE_MS = 200;

/** How a search was committed: while typing (debounced), with Enter, or cleared with Escape. */
export type SearchTrigger = 'typing' | 'enter' | 'escape';

/**
 * Search as you type (debounced), on Enter (at once); Escape empties the box and the query.
 * The committed query lives in the URL; this box only holds what is being typed.
 */
export function SearchBox(props: {
  value: string;
  busy?: boolean;
  onSearch: (q: string, trigger: SearchTrigger) => void;
  /** accessible name of the input (default "Search catalog") */
  label?: string;
  placeholder?: string;
  /** keyboard hint shown under the box for screen readers and sighted users alike */
  hint?: string;
  ref?: (el: HTMLInputElement) => void;
}) {
  const id = createUniqueId();
  const label = () => props.label ?? 'Search catalog';
  const [text, setText] = createSignal(props.value);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = () => timer !== undefined && clearTimeout(timer);
  onCleanup(cancel);

  /** what this box last searched for: its echo through the URL must not undo newer typing */
  let committed: string | undefined;
  // Back/forward changes the URL under us: show the query that is actually applied.
  createEffect(
    on(
      () => props.value,
      (v) => {
        if (v !== committed && v !== text().trim()) setText(v);
        committed = undefined;
      },
      { defer: true },
    ),
  );

  const commit = (q: string, trigger: SearchTrigger) => {
    cancel();
    timer = undefined;
    const value = q.trim();
    committed = value === props.value ? undefined : value;
    props.onSearch(value, trigger);
  };

  return (
    <form
      role="search"
      class="search-box"
      onSubmit={(e) => {
        e.preventDefault();
        commit(text(), 'enter');
      }}
    >
      <label for={id} class="visually-hidden">
        {label()}
      </label>
      <span class="search-icon" aria-hidden="true">
        ⌕
      </span>
      <input
        ref={props.ref}
        id={id}
        type="search"
        aria-label={label()}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        placeholder={props.placeholder ?? 'Search workflows by name, description, tag…'}
        autocomplete="off"
        spellcheck={false}
        value={text()}
        onInput={(e) => {
          const q = e.currentTarget.value;
          setText(q);
          cancel();
          timer = setTimeout(() => commit(q, 'typing'), DEBOUNCE_MS);
        }}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          // Chromium would clear a search input itself; doing it here also drops the query at once.
          e.preventDefault();
          if (!text() && !props.value) return;
          setText('');
          e.currentTarget.value = '';
          commit('', 'escape');
        }}
      />
      <span class="search-status" aria-hidden="true">
        {props.busy ? 'Searching…' : ''}
      </span>
      {props.hint && (
        <span id={`${id}-hint`} class="visually-hidden">
          {props.hint}
        </span>
      )}
    </form>
  );
}
