import { ErrorBoundary, Suspense, type JSX } from 'solid-js';
import { errorMessage } from '../lib/format.ts';

/**
 * A boundary of its own for a panel that reads data: its memos, resources and effects are
 * created inside it, so their loading suspends this panel only, never the page around it
 * (which would hide the page's tabs and lose their focus), and their errors stay here.
 */
export function Contained(props: { what: string; children: JSX.Element }) {
  return (
    <ErrorBoundary fallback={(err) => <p class="inline-error" role="alert">{props.what} cannot be read: {errorMessage(err)}</p>}>
      <Suspense fallback={<p class="muted small">Reading {props.what.toLowerCase()}…</p>}>{props.children}</Suspense>
    </ErrorBoundary>
  );
}
