import { createAsync, revalidate, useAction, useNavigate, useSearchParams, useSubmission } from '@solidjs/router';
import { ErrorBoundary, Show, Suspense } from 'solid-js';
import { DevUserList } from '../components/dev-user-list.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { RoleList } from '../components/role-list.tsx';
import { TokenForm } from '../components/token-form.tsx';
import { devLogin, devUsers } from '../data/dev-auth.ts';
import { actorFromToken, session, signIn, signOut } from '../data/session.ts';
import { ApiError } from '../data/api.ts';
import { usePageTitle } from '../lib/page-title.ts';

/** Only same-origin paths, so a crafted link cannot send a fresh session elsewhere. */
const safeNext = (next: unknown) =>
  typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';

export function SignInPage() {
  usePageTitle('Sign in');
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const users = createAsync(() => devUsers());
  const login = useAction(devLogin);
  const loggingIn = useSubmission(devLogin);
  const busySub = () => (loggingIn.pending ? loggingIn.input?.[0] : undefined);
  const loginError = () => (loggingIn.pending ? undefined : (loggingIn.error as unknown));
  const done = () => navigate(safeNext(params.next), { replace: true });

  return (
    <div class="sign-in">
      <div class="page-head">
        <h1>Sign in</h1>
        <p class="lede">Choose who you are. The Switchboard sends your token with every API call.</p>
      </div>

      <Show when={session.token()}>
        <div class="card signed-in-as">
          <p>
            Signed in as <strong>{session.actor()?.name ?? session.actor()?.sub ?? 'a token user'}</strong>
            <Show when={session.actor()?.tenant}>
              {(t) => <span class="muted"> · tenant {t()}</span>}
            </Show>
          </p>
          <Show when={session.actor()?.roles.length}>
            <RoleList roles={session.actor()?.roles ?? []} />
          </Show>
          <div class="actions">
            <button type="button" class="button" onClick={() => navigate('/')}>
              Continue
            </button>
            <button type="button" class="button" onClick={() => signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </Show>

      <ErrorBoundary
        fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(devUsers.key).then(reset)} />}
      >
        <Suspense fallback={<Loading label="Loading demo users…" />}>
          <Show
            when={users() !== null}
            fallback={
              <section class="card token-box" aria-labelledby="token-title">
                <h2 id="token-title">Sign in with a token</h2>
                <p>
                  Development sign-in is switched off on this server. Paste a bearer token issued for you (for example
                  with <code>npm run token</code>).
                </p>
                <TokenForm
                  onToken={(token) => {
                    signIn(token, actorFromToken(token));
                    done();
                  }}
                />
              </section>
            }
          >
            <Show when={users()}>
              {(list) => (
                <>
                  <h2 class="section-title">Demo users</h2>
                  <Show when={loginError()}>
                    {(err) => (
                      <p class="inline-error" role="alert">
                        Sign-in failed: {err() instanceof Error ? (err() as Error).message : String(err())}
                        <Show when={err() instanceof ApiError}>
                          <code class="error-code">{(err() as ApiError).code}</code>
                        </Show>
                      </p>
                    )}
                  </Show>
                  <DevUserList
                    users={list()}
                    busySub={busySub()}
                    currentSub={session.actor()?.sub}
                    onChoose={(u) => {
                      loggingIn.clear?.();
                      login(u.sub).then(done, () => {});
                    }}
                  />
                  <details class="card token-box">
                    <summary>Use a bearer token instead</summary>
                    <TokenForm
                      onToken={(token) => {
                        signIn(token, actorFromToken(token));
                        done();
                      }}
                    />
                  </details>
                </>
              )}
            </Show>
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
