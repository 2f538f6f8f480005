import { For, Match, Show, Switch } from 'solid-js';
import { listItems, type ParamField as Field, type RawValue } from '../lib/param-fields.ts';
import { literal } from '../lib/schema-rows.ts';

const INPUT_TYPES: Partial<Record<Field['kind'], string>> = {
  text: 'text',
  email: 'email',
  url: 'url',
  date: 'date',
  datetime: 'datetime-local',
};

/** One generated run-form field: label (title), help (description), input, inline error. */
export function ParamField(props: { field: Field; value: RawValue; error?: string; idPrefix: string; onChange: (value: RawValue) => void }) {
  const f = () => props.field;
  const id = () => `${props.idPrefix}-${f().name}`;
  const helpId = () => `${id()}-help`;
  const errorId = () => `${id()}-error`;
  const describedBy = () => [f().help || f().kind === 'list' ? helpId() : '', props.error ? errorId() : ''].filter(Boolean).join(' ') || undefined;
  const text = () => (typeof props.value === 'string' ? props.value : '');
  const common = () => ({
    id: id(),
    name: f().name,
    'aria-invalid': props.error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(),
    'aria-required': f().required ? ('true' as const) : undefined,
  });

  const label = (
    <label for={id()} class="field-label">
      {f().label}
      <Show when={f().required}>
        <span class="required-star" aria-hidden="true">
          {' '}
          *
        </span>
        <span class="visually-hidden"> (required)</span>
      </Show>
      <Show when={f().label !== f().name}>
        <code class="field-key">{f().name}</code>
      </Show>
    </label>
  );

  return (
    <div class="field" classList={{ 'field-invalid': Boolean(props.error), 'field-checkbox': f().kind === 'boolean' }} data-testid={`field-${f().name}`} data-kind={f().kind}>
      <Show when={f().kind !== 'boolean'}>{label}</Show>
      <Switch
        fallback={
          <input
            {...common()}
            type={INPUT_TYPES[f().kind] ?? 'text'}
            value={text()}
            autocomplete="off"
            onInput={(e) => props.onChange(e.currentTarget.value)}
          />
        }
      >
        <Match when={f().kind === 'boolean'}>
          <div class="checkbox-row">
            <input {...common()} type="checkbox" checked={props.value === true} onChange={(e) => props.onChange(e.currentTarget.checked)} />
            {label}
          </div>
        </Match>
        <Match when={f().kind === 'number' || f().kind === 'integer'}>
          <input
            {...common()}
            type="number"
            inputmode={f().kind === 'integer' ? 'numeric' : 'decimal'}
            step={f().kind === 'integer' ? 1 : 'any'}
            min={f().min}
            max={f().max}
            value={text()}
            onInput={(e) => props.onChange(e.currentTarget.value)}
          />
        </Match>
        <Match when={f().kind === 'enum'}>
          <select {...common()} onChange={(e) => props.onChange(e.currentTarget.value)}>
            <Show when={!f().required || text() === ''}>
              <option value="" selected={text() === ''}>
                {f().required ? 'Choose…' : '— not set —'}
              </option>
            </Show>
            <For each={f().options}>{(o, i) => (
                <option value={String(i())} selected={text() === String(i())}>
                  {literal(o)}
                </option>
              )}</For>
          </select>
        </Match>
        <Match when={f().kind === 'json'}>
          <textarea {...common()} class="mono" rows={4} spellcheck={false} value={text()} onInput={(e) => props.onChange(e.currentTarget.value)} />
        </Match>
        <Match when={f().kind === 'list'}>
          <input {...common()} type="text" autocomplete="off" value={text()} onInput={(e) => props.onChange(e.currentTarget.value)} />
        </Match>
      </Switch>
      <Show when={f().help || f().kind === 'list'}>
        <p id={helpId()} class="hint">
          {f().help}
          <Show when={f().kind === 'list'}>
            {f().help ? ' ' : ''}Separate values with commas.
          </Show>
        </p>
      </Show>
      <Show when={f().kind === 'list' && listItems(text()).length}>
        <ul class="tags list-preview" aria-label={`${f().label}: ${listItems(text()).length} values`}>
          <For each={listItems(text())}>{(item) => <li class="tag">{item}</li>}</For>
        </ul>
      </Show>
      <Show when={props.error}>
        <p id={errorId()} class="field-error" data-testid={`field-error-${f().name}`}>
          <span aria-hidden="true">⚠ </span>
          {props.error}
        </p>
      </Show>
    </div>
  );
}
