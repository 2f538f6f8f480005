import type { JSX } from 'solid-js';

/** A link that opens elsewhere (the Temporal Web UI), saying so to every reader. */
export function ExternalLink(props: { href: string; children: JSX.Element; class?: string; testId?: string }) {
  return (
    <a href={props.href} target="_blank" rel="noopener noreferrer" class={props.class ?? 'temporal-link'} data-testid={props.testId}>
      {props.children}
      <span class="visually-hidden"> (opens in a new tab)</span>
      <span aria-hidden="true"> ↗</span>
    </a>
  );
}
