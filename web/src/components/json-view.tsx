import { createMemo } from 'solid-js';

/** A value as indented JSON inside a disclosure, closed by default. */
export function JsonView(props: { value: unknown; summary: string; open?: boolean }) {
  const text = createMemo(() => {
    try {
      return JSON.stringify(props.value, null, 2) ?? String(props.value);
    } catch {
      return String(props.value);
    }
  });
  return (
    <details class="json-view" open={props.open}>
      <summary>{props.summary}</summary>
      <pre tabindex="0">
        <code>{text()}</code>
      </pre>
    </details>
  );
}
