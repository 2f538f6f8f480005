import { For, Show } from 'solid-js';
import type { AdapterVersion } from '../data/adapters.ts';
import { formatDateTime } from '../lib/format.ts';
import { AdapterStatusBadge } from './adapter-status-badge.tsx';
import { SchemaTable } from './schema-table.tsx';

const SIDE_EFFECTS: Record<string, string> = {
  none: 'pure computation',
  read: 'reads from other systems',
  write: 'writes to our own systems',
  external: 'changes things in external systems',
};

/** Everything an author needs to know about one adapter version before using it in a step. */
export function AdapterVersionDetail(props: { adapter: AdapterVersion }) {
  const a = () => props.adapter;
  const m = () => a().manifest;
  const spec = () => m().spec;
  const ref = () => `${a().name}@${a().version}`;

  return (
    <article class="adapter-detail" aria-labelledby="adapter-version-title" data-testid="adapter-version" data-version={a().version}>
      <Show when={a().status !== 'active'}>
        <div class={`banner banner-${a().status === 'retired' ? 'danger' : 'warn'}`} role="note" data-testid="deprecation-banner">
          <strong>{a().status === 'retired' ? 'Retired.' : 'Deprecated.'}</strong>{' '}
          {a().status === 'retired'
            ? 'This version can no longer run: specs that use it fail validation (TASK_RETIRED).'
            : 'Drafts and runs may still use this version, with a TASK_DEPRECATED warning, but it blocks marketplace publication.'}
          <Show when={a().replacement}>
            {(r) => (
              <>
                {' '}
                Use <code>{r()}</code> instead.
              </>
            )}
          </Show>
        </div>
      </Show>

      <header class="detail-head">
        <div>
          <h2 id="adapter-version-title" class="detail-title">
            <code>{ref()}</code>
          </h2>
          <p class="row-desc">{m().metadata.description}</p>
        </div>
        <AdapterStatusBadge status={a().status} />
      </header>

      <dl class="facts">
        <div>
          <dt>Runtime</dt>
          <dd>{spec().runtime}</dd>
        </div>
        <div>
          <dt>Task queue</dt>
          <dd>
            <code>{a().taskQueue}</code>
          </dd>
        </div>
        <div>
          <dt>Capabilities</dt>
          <dd>
            <ul class="capabilities">
              <For each={spec().capabilities}>{(c) => <li class="capability">{c}</li>}</For>
            </ul>
          </dd>
        </div>
        <div>
          <dt>Publisher</dt>
          <dd>{m().metadata.publisher ?? '—'}</dd>
        </div>
        <div>
          <dt>Registered</dt>
          <dd>
            <time datetime={a().registeredAt}>{formatDateTime(a().registeredAt)}</time>
          </dd>
        </div>
        <div>
          <dt>Digest</dt>
          <dd>
            <code class="digest" title={a().digest}>
              {a().digest.slice(0, 19)}…
            </code>
          </dd>
        </div>
      </dl>

      <section class="detail-section" aria-labelledby="input-title">
        <h3 id="input-title">Input</h3>
        <p class="hint">
          What a step passes in <code>with:</code>.
        </p>
        <SchemaTable schema={spec().input} caption={`Input fields of ${ref()}`} empty="This task takes no input." />
      </section>

      <section class="detail-section" aria-labelledby="output-title">
        <h3 id="output-title">Output</h3>
        <p class="hint">
          Readable by later steps as <code>steps.&lt;id&gt;.output</code>.
        </p>
        <SchemaTable schema={spec().output} caption={`Output fields of ${ref()}`} empty="This task returns nothing." />
      </section>

      <Show when={spec().config}>
        {(config) => (
          <section class="detail-section" aria-labelledby="config-title">
            <h3 id="config-title">Configuration</h3>
            <SchemaTable schema={config()} caption={`Configuration of ${ref()}`} />
          </section>
        )}
      </Show>

      <div class="detail-columns">
        <section class="detail-section" aria-labelledby="secrets-title">
          <h3 id="secrets-title">Secrets</h3>
          <Show when={spec().secrets?.length} fallback={<p class="muted">Needs no secrets.</p>}>
            <table class="plain-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Input field</th>
                  <th scope="col">Required</th>
                </tr>
              </thead>
              <tbody>
                <For each={spec().secrets}>
                  {(s) => (
                    <tr>
                      <th scope="row">
                        <code>{s.name}</code>
                        <Show when={s.description}>
                          <span class="field-desc block">{s.description}</span>
                        </Show>
                      </th>
                      <td>{s.input ? <code>{s.input}</code> : <span class="muted">—</span>}</td>
                      <td>{s.required ? <span class="required-mark">required</span> : <span class="muted">optional</span>}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        </section>

        <section class="detail-section" aria-labelledby="security-title">
          <h3 id="security-title">Security posture</h3>
          <dl class="posture">
            <div>
              <dt>Egress allow-list</dt>
              <dd>
                <Show when={spec().security.egress.allow.length} fallback={<span class="chip chip-ok">no network access</span>}>
                  <ul class="host-list">
                    <For each={spec().security.egress.allow}>
                      {(h) => (
                        <li>
                          <code>{h}</code>
                          <Show when={h === '*'}>
                            <span class="muted small"> any host the tenant's egress policy allows</span>
                          </Show>
                        </li>
                      )}
                    </For>
                  </ul>
                </Show>
              </dd>
            </div>
            <div>
              <dt>Data classes</dt>
              <dd>
                <ul class="roles">
                  <For each={spec().security.dataClasses}>{(d) => <li class={`chip data-${d}`}>{d}</li>}</For>
                </ul>
              </dd>
            </div>
            <div>
              <dt>Side effects</dt>
              <dd>
                <span class={`chip ${spec().security.sideEffects === 'external' ? 'chip-warn' : ''}`}>{spec().security.sideEffects}</span>{' '}
                <span class="muted small">{SIDE_EFFECTS[spec().security.sideEffects] ?? ''}</span>
              </dd>
            </div>
            <div>
              <dt>Idempotent</dt>
              <dd>{spec().security.idempotent ? 'yes — safe to retry' : 'no — a retry may repeat the effect'}</dd>
            </div>
          </dl>
        </section>

        <section class="detail-section" aria-labelledby="retry-title">
          <h3 id="retry-title">Retry and timeout</h3>
          <dl class="posture posture-row">
            <div>
              <dt>Timeout</dt>
              <dd>{spec().timeout ?? <span class="muted">engine default</span>}</dd>
            </div>
            <Show when={spec().retry} fallback={<p class="muted">Engine default retry policy.</p>}>
              {(r) => (
                <>
                  <div>
                    <dt>Attempts</dt>
                    <dd>{r().maximumAttempts === undefined ? 'unlimited' : r().maximumAttempts === 1 ? '1 (no retries)' : `up to ${r().maximumAttempts}`}</dd>
                  </div>
                  <Show when={r().initialInterval || r().backoffCoefficient || r().maximumInterval}>
                    <div>
                      <dt>Backoff</dt>
                      <dd>
                        {[
                          r().initialInterval && `first after ${r().initialInterval}`,
                          r().backoffCoefficient && `×${r().backoffCoefficient}`,
                          r().maximumInterval && `at most ${r().maximumInterval} apart`,
                        ]
                          .filter(Boolean)
                          .join(', ')}
                      </dd>
                    </div>
                  </Show>
                  <Show when={r().nonRetryableErrorTypes?.length}>
                    <div>
                      <dt>Never retried</dt>
                      <dd>
                        <ul class="roles">
                          <For each={r().nonRetryableErrorTypes}>
                            {(t) => (
                              <li>
                                <code class="error-code">{t}</code>
                              </li>
                            )}
                          </For>
                        </ul>
                      </dd>
                    </div>
                  </Show>
                </>
              )}
            </Show>
          </dl>
        </section>
      </div>
    </article>
  );
}
