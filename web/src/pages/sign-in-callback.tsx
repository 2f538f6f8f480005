import { A, useNavigate } from '@solidjs/router';
import { createSignal, onMount, Show } from 'solid-js';
import { Loading } from '../components/loading.tsx';
import { authConfig, completeSignIn } from '../data/oidc.ts';
import { signIn } from '../data/session.ts';
import { usePageTitle } from '../lib/page-title.ts';

/** Only same-origin paths, so a crafted state cannot send a fresh session elsewhere. */
const safeNext = (next: string) => (next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/');

/** Where the identity provider returns: the code becomes a token, then back to where we were. */
export function SignInCallbackPage() {
  usePageTitle('Signing in');
  const navigate = useNavigate();
  const [problem, setProblem] = createSignal<string>();
  onMount(() => {
    const url = new URL(location.href);
    authConfig()
      .then((cfg) => completeSignIn(cfg, url))
      .then(({ token, actor, next }) => {
        signIn(token, actor);
        navigate(safeNext(next), { replace: true });
      })
      .catch((e: unknown) => setProblem(e instanceof Error ? e.message : String(e)));
  });
  return (
    <div class="sign-in">
      <Show when={problem()} fallback={<Loading label="Signing in…" />}>
        <div class="card token-box">
          <h1>Sign-in did not complete</h1>
          <p class="inline-error" role="alert" data-testid="sign-in-problem">
            {problem()}
          </p>
          <A class="button primary" href="/sign-in">
            Try again
          </A>
        </div>
      </Show>
    </div>
  );
}
