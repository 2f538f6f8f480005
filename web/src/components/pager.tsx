import { Show } from 'solid-js';

export function Pager(props: { page: number; perPage: number; found: number; onPage: (page: number) => void }) {
  const pages = () => Math.max(1, Math.ceil(props.found / props.perPage));
  return (
    <Show when={pages() > 1}>
      <nav class="pager" aria-label="Result pages">
        <button type="button" class="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
          ← Previous
        </button>
        <span>
          Page {props.page} of {pages()}
        </span>
        <button type="button" class="button" disabled={props.page >= pages()} onClick={() => props.onPage(props.page + 1)}>
          Next →
        </button>
      </nav>
    </Show>
  );
}
