import { For, Show } from 'solid-js';

/** Why a form's request was refused: the API's message and code, and each failing path. */
export interface FormProblem {
  message: string;
  code?: string;
  details: { path: string; message: string }[];
}

/** The refusal of a form (run, install), as an alert below it. */
export function FormProblemAlert(props: { problem: FormProblem | undefined; lead?: string; testId: string }) {
  return (
    <Show when={props.problem}>
      {(p) => (
        <div class="inline-error form-error" role="alert" data-testid={props.testId}>
          <span>
            {props.lead ?? ''}
            {p().message}
            <Show when={p().code}>{(code) => <code class="error-code">{code()}</code>}</Show>
          </span>
          <Show when={p().details.length}>
            <ul>
              <For each={p().details}>
                {(d) => (
                  <li>
                    <code>{d.path || '/'}</code> {d.message}
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </div>
      )}
    </Show>
  );
}
