import { createAsync, revalidate, useAction, useNavigate, useSearchParams, useSubmission } from '@solidjs/router';
import { createSignal, ErrorBoundary, Show, Suspense } from 'solid-js';
import { DevUserList } from '../components/dev-user-list.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { RoleList } from '../components/role-list.tsx';
import { TokenForm } from '../components/token-form.tsx';
import { devLogin, devUsers } from '../data/dev-auth.ts';
import { authConfig, beginSignIn } from '../data/oidc.ts';
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
  const config = createAsync(() => authConfig());
  // the demo-user list only in explicit dev mode (dev login is not even mounted otherwise)
  const users = createAsync(async () => ((await authConfig()).devLogin ? devUsers() : null));
  const [leaving, setLeaving] = createSignal(false);
  const [startError, setStartError] = createSignal<unknown>();
  const startOidc = () => {
    const cfg = config();
    if (!cfg) return;
    setStartError(undefined);
    setLeaving(true);
    beginSignIn(cfg, safeNext(params.next)).catch((e: unknown) => {
      setStartError(e);
      setLeaving(false);
    });
  };
  const issuerHost = () => {
    const issuer = config()?.issuer;
    if (!issuer) return '';
    try {
      return new URL(issuer).host;
    } catch {
      return issuer;
    }
  };
  const login = useAction(devLogin);
  const loggingIn = useSubmission(devLogin);
  const busySub = () => (loggingIn.pending ? loggingIn.input?.[0] : undefined);
  const loginError = () => (loggingIn.pending ? undefined : (loggingIn.error as unknown));
  const done = () => navigate(safeNext(params.next), { replace: true });

  return (
    <div class="sign-in">
      <div class="page-head">
        <h1>Sign in</h1>
        <p class="lede">Sign in with your identity provider. The Switchboard sends its access token with every API call.</p>
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
        fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate([authConfig.key, devUsers.key]).then(reset)} />}
      >
        <Suspense fallback={<Loading label="Loading sign-in options…" />}>
          <section class="card token-box oidc-box" aria-labelledby="oidc-title">
            <h2 id="oidc-title">Sign in with OpenID Connect</h2>
            <p>
              Through <code>{issuerHost()}</code> (authorization code with PKCE).
            </p>
            <Show when={startError()}>
              {(err) => (
                <p class="inline-error" role="alert">
                  The identity provider cannot be reached: {err() instanceof Error ? (err() as Error).message : String(err())}
                </p>
              )}
            </Show>
            <button type="button" class="button primary" data-testid="oidc-sign-in" disabled={!config() || leaving()} onClick={startOidc}>
              {leaving() ? 'Going to the identity provider…' : 'Sign in'}
            </button>
          </section>
          <Show when={users()}>
            {(list) => (
              <>
                <h2 class="section-title">Demo users (dev login)</h2>
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
              </>
            )}
          </Show>
          <details class="card token-box">
            <summary>Use a bearer token instead</summary>
            <p>
              Paste an access token issued for you (for the embedded provider of <code>npm start</code>:{' '}
              <code>npm run token -- alice</code>).
            </p>
            <TokenForm
              onToken={(token) => {
                signIn(token, actorFromToken(token));
                done();
              }}
            />
          </details>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
