import type { JSX } from 'solid-js';

export function EmptyState(props: { title: string; children?: JSX.Element }) {
  return (
    <div class="empty-state" data-testid="empty-state">
      <p class="empty-title">{props.title}</p>
      {props.children}
    </div>
  );
}
