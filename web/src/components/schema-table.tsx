import { For, Show } from 'solid-js';
import { literal, schemaRows } from '../lib/schema-rows.ts';

/** A JSON Schema as a table of fields; nested object fields are indented under their parent. */
export function SchemaTable(props: { schema: unknown; caption: string; empty?: string }) {
  const rows = () => schemaRows(props.schema);
  return (
    <Show when={rows().length} fallback={<p class="muted schema-empty">{props.empty ?? 'No fields.'}</p>}>
      <div class="table-scroll">
        <table class="schema-table">
          <caption class="visually-hidden">{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Type</th>
              <th scope="col">Required</th>
              <th scope="col">Default</th>
              <th scope="col">Allowed values</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            <For each={rows()}>
              {(r) => (
                <tr data-field={r.path} classList={{ nested: r.depth > 0 }}>
                  <th scope="row" class="field-name" style={{ 'padding-left': `${10 + r.depth * 20}px` }}>
                    <Show when={r.depth > 0}>
                      <span class="nest-mark" aria-hidden="true">
                        ↳{' '}
                      </span>
                    </Show>
                    <code>{r.name}</code>
                    <Show when={r.depth > 0}>
                      <span class="visually-hidden"> (in {r.path.slice(0, r.path.length - r.name.length - 1)})</span>
                    </Show>
                  </th>
                  <td>
                    <code class="type">{r.type}</code>
                    <Show when={r.constraints.length}>
                      <span class="constraints">{r.constraints.join(' · ')}</span>
                    </Show>
                  </td>
                  <td>{r.required ? <span class="required-mark">required</span> : <span class="muted">optional</span>}</td>
                  <td>
                    <Show when={r.default !== undefined} fallback={<span class="muted">—</span>}>
                      <code>{literal(r.default)}</code>
                    </Show>
                  </td>
                  <td>
                    <Show when={r.enum} fallback={<span class="muted">—</span>}>
                      {(values) => (
                        <ul class="enum-values">
                          <For each={values()}>
                            {(v) => (
                              <li>
                                <code>{literal(v)}</code>
                              </li>
                            )}
                          </For>
                        </ul>
                      )}
                    </Show>
                  </td>
                  <td class="field-desc">{r.description ?? ''}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
