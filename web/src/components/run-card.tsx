import { A, createAsync, revalidate } from '@solidjs/router';
import { createMemo, createSignal, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import type { Risk } from '../../../domain/spec.ts';
import type { CatalogDetail } from '../data/catalog.ts';
import { definitionVersion, type RunStarted } from '../data/definitions.ts';
import { readiness } from '../data/secrets.ts';
import { session } from '../data/session.ts';
import { ErrorPanel } from './error-panel.tsx';
import { Loading } from './loading.tsx';
import { RunForm } from './run-form.tsx';
import { SpecSteps } from './spec-steps.tsx';

/**
 * Run a published version from its generated form. The version a run would use comes with
 * the detail (its parameters schema); another chosen version's schema is fetched.
 */
export function RunCard(props: { detail: CatalogDetail; onStarted: (run: RunStarted) => void }) {
  const d = () => props.detail;
  /** another tenant's workflow: it runs from an instance, never directly */
  const foreign = () => {
    const tenant = session.actor()?.tenant;
    return Boolean(tenant && d().tenantId !== tenant);
  };
  const runnable = () => d().versions.filter((v) => v.status === 'published');
  const [chosen, setChosen] = createSignal<string>();
  const defaultVersion = () => {
    const p = d().parameters.version;
    return p && runnable().some((v) => v.version === p) ? p : (d().latestVersion ?? runnable()[0]?.version);
  };
  const version = () => chosen() ?? defaultVersion();
  const spec = createAsync(() => {
    const v = version();
    return v ? definitionVersion(d().id, v) : Promise.resolve(undefined);
  });
  /**
   * Which secrets a run of the version needs and whether the tenant has them. Another
   * tenant's workflow (404) or any failure shows no warning: the server still decides.
   */
  const ready = createAsync(() => {
    const v = version();
    return v ? readiness(d().id, v).catch(() => undefined) : Promise.resolve(undefined);
  });
  /** the schema without waiting for the spec when the detail already has it */
  const form = createMemo(() => {
    const v = version();
    if (!v) return undefined;
    if (v === d().parameters.version) return { version: v, parameters: d().parameters.schema ?? {} };
    const s = spec();
    return s && s.version === v ? { version: v, parameters: s.spec.parameters ?? {} } : undefined;
  });

  return (
    <section class="card run-card" id="run" aria-labelledby="run-title" data-testid="run-card">
      <div class="run-card-head">
        <h2 id="run-title">Run workflow</h2>
        <Show when={runnable().length > 1}>
          <label class="version-picker">
            Version{' '}
            <select onChange={(e) => setChosen(e.currentTarget.value)}>
              <For each={runnable()}>
                {(v) => (
                  <option value={v.version} selected={v.version === version()}>
                    {v.version}
                    {v.version === d().latestVersion ? ' (latest)' : ''}
                  </option>
                )}
              </For>
            </select>
          </label>
        </Show>
      </div>
      <Show when={!foreign()} fallback={<ForeignWorkflow detail={d()} />}>
      <Show when={version()} fallback={<p class="muted">No version of this workflow is published yet, so it cannot run.</p>}>
        <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(definitionVersion.key).then(reset)} />}>
          <Suspense fallback={<Loading label="Loading the parameters…" />}>
            <Show when={form()} keyed>
              {(f) => (
                <RunForm
                  definitionId={d().id}
                  version={f.version}
                  parameters={f.parameters}
                  risk={d().risk as Risk}
                  readiness={ready()?.version === f.version ? ready() : undefined}
                  onStarted={props.onStarted}
                />
              )}
            </Show>
          </Suspense>
        </ErrorBoundary>
        <div class="detail-section">
          <h3>Steps</h3>
          <ErrorBoundary fallback={(err) => <p class="muted">The steps could not be loaded: {err instanceof Error ? err.message : String(err)}</p>}>
            <Suspense fallback={<Loading label="Loading the steps…" />}>
              <Show when={spec()}>{(s) => <SpecSteps steps={s().spec.steps} />}</Show>
            </Suspense>
          </ErrorBoundary>
        </div>
      </Show>
      </Show>
    </section>
  );
}

/**
 * Another tenant's workflow does not run directly (INSTALL_REQUIRED): it runs from an
 * instance installed in your tenant, with your own secrets, endpoints and quotas.
 */
function ForeignWorkflow(props: { detail: CatalogDetail }) {
  return (
    <div class="banner banner-info" data-testid="install-required">
      <p>
        This workflow belongs to <code>{props.detail.tenantId}</code>. In your tenant it runs from an instance: install it from the Marketplace with your own
        secrets, endpoints and quotas, then run the instance.
      </p>
      <div class="actions">
        <A href={`/marketplace/${encodeURIComponent(props.detail.id)}`} class="button primary">
          See it in the Marketplace
        </A>
        <A href="/instances" class="button">
          Your instances
        </A>
      </div>
    </div>
  );
}
