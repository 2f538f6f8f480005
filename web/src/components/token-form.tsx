import { createSignal, Show } from 'solid-js';

/** For servers without dev login: paste a bearer token issued elsewhere (`npm run token`). */
export function TokenForm(props: { onToken: (token: string) => void }) {
  const [value, setValue] = createSignal('');
  const [problem, setProblem] = createSignal<string>();
  return (
    <form
      class="token-form"
      onSubmit={(e) => {
        e.preventDefault();
        const token = value().trim().replace(/^Bearer\s+/i, '');
        if (!token) return setProblem('Paste a token first.');
        if (/\s/.test(token)) return setProblem('A bearer token has no spaces or line breaks.');
        setProblem(undefined);
        props.onToken(token);
      }}
    >
      <label for="bearer-token">Bearer token</label>
      <textarea
        id="bearer-token"
        rows={4}
        spellcheck={false}
        autocomplete="off"
        placeholder="eyJhbGciOi…"
        aria-describedby="bearer-token-hint"
        value={value()}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <p id="bearer-token-hint" class="hint">
        The token is kept in this browser's local storage and sent as <code>Authorization: Bearer …</code>.
      </p>
      <Show when={problem()}>
        <p class="inline-error" role="alert">
          {problem()}
        </p>
      </Show>
      <button type="submit" class="button primary">
        Use token
      </button>
    </form>
  );
}
