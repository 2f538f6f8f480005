import { A, createAsyncStore, revalidate, useAction, useSearchParams } from '@solidjs/router';
import { createSignal, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { isPermitted } from '../../../domain/access.ts';
import { DEFINITION_ID } from '../../../domain/ids.ts';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { SecretForm } from '../components/secret-form.tsx';
import { SecretRow, type RowPanel } from '../components/secret-row.tsx';
import { deleteSecret, localPath, storeSecret, tenantSecrets } from '../data/secrets.ts';
import { session } from '../data/session.ts';
import { usePageTitle } from '../lib/page-title.ts';

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The tenant's secrets: names and metadata for everyone; storing, rotating and deleting for
 * tenant admins and publishers (the permission `secret.write`, from domain/access.ts — the
 * API enforces the same). Values go in once and are never shown again.
 */
export function SecretsPage() {
  usePageTitle('Secrets');
  const [params] = useSearchParams();
  // a store reconciled by name: a row (its open panel, its focused button) outlives a refresh
  const secrets = createAsyncStore(() => tenantSecrets(), { reconcile: { key: 'name' } });
  const store = useAction(storeSecret);
  const remove = useAction(deleteSecret);
  const [open, setOpen] = createSignal<{ name: string; panel: RowPanel }>();
  const [notice, setNotice] = createSignal<{ text: string; back?: { href: string; label: string } }>();
  const tenant = () => session.actor()?.tenant ?? 'your tenant';
  const canWrite = () => {
    const actor = session.actor();
    return actor ? isPermitted(actor, 'secret.write') : false;
  };
  /** where to go back to once the secret is stored: the workflow whose run form sent us, or the install wizard */
  const back = () => {
    const id = first(params.for);
    if (id && DEFINITION_ID.test(id)) return { href: `/catalog/${encodeURIComponent(id)}`, label: `Back to ${id}` };
    const path = localPath(first(params.return));
    return path ? { href: path, label: path.startsWith('/marketplace/') ? 'Back to the install' : 'Back' } : undefined;
  };
  const names = () => new Set((secrets()?.items ?? []).map((s) => s.name));

  return (
    <div class="secrets">
      <div class="page-head">
        <h1>Secrets</h1>
        <p class="lede">
          The secrets of <code>{tenant()}</code>. Workflows and installed instances refer to them as <code>secret://{tenant()}/&lt;name&gt;</code>, and a run
          resolves the reference only at the moment a step uses it. Values are write-only: encrypted at rest, never shown again, never in a run's history.
        </p>
      </div>

      <div class="notice-slot" role="status" aria-live="polite">
        <Show when={notice()}>
          {(n) => (
            <div class="notice notice-approve" data-testid="secret-notice">
              <span>
                {n().text}
                <Show when={n().back}>
                  {(b) => (
                    <>
                      {' '}
                      <A href={b().href}>{b().label}</A>
                    </>
                  )}
                </Show>
              </span>
              <button type="button" class="button small" onClick={() => setNotice(undefined)} aria-label="Dismiss">
                ×
              </button>
            </div>
          )}
        </Show>
      </div>

      <Show
        when={canWrite()}
        fallback={
          <p class="banner banner-info" data-testid="secrets-read-only">
            Only tenant admins and publishers can store, rotate or delete secrets. You can see which exist.
          </p>
        }
      >
        <SecretForm
          initialName={first(params.name)}
          existing={(name) => names().has(name)}
          onStore={(input) => store(input)}
          onStored={(name, rotated) =>
            setNotice({
              text: rotated ? `Rotated ${name}. The new value will not be shown again.` : `Stored ${name}. Its value will not be shown again.`,
              ...(back() ? { back: back()! } : {}),
            })
          }
        />
      </Show>

      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(tenantSecrets.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the secrets…" />}>
          <Show when={secrets()}>
            {(list) => (
              <section class="detail-section" aria-labelledby="secrets-title">
                <h2 id="secrets-title" class="results-summary" tabindex="-1">
                  {list().items.length} {list().items.length === 1 ? 'secret' : 'secrets'}
                </h2>
                <Show when={list().items.length} fallback={<EmptyState title={`${tenant()} has no secrets yet.`} />}>
                  <table class="plain-table secrets-table" data-testid="secrets-table">
                    <caption class="visually-hidden">Secrets of {tenant()}: names and metadata, never values</caption>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Reference</th>
                        <th scope="col">Created</th>
                        <th scope="col">Last rotated</th>
                        <Show when={canWrite()}>
                          <th scope="col">
                            <span class="visually-hidden">Actions</span>
                          </th>
                        </Show>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={list().items}>
                        {(secret) => (
                          <SecretRow
                            secret={secret}
                            canWrite={canWrite()}
                            open={open()?.name === secret.name ? open()!.panel : undefined}
                            onOpen={(panel) => setOpen(panel ? { name: secret.name, panel } : undefined)}
                            onRotate={(input) => store(input)}
                            onDelete={(name) => remove(name)}
                            onDone={(text, deleted) => {
                              setNotice({ text });
                              if (deleted) queueMicrotask(() => document.getElementById('secrets-title')?.focus());
                            }}
                          />
                        )}
                      </For>
                    </tbody>
                  </table>
                </Show>
              </section>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
