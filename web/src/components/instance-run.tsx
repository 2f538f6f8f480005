import { createAsync, revalidate } from '@solidjs/router';
import { createMemo, ErrorBoundary, Show, Suspense } from 'solid-js';
import type { Risk } from '../../../domain/spec.ts';
import { definitionVersion, type RunStarted } from '../data/definitions.ts';
import { mayRunInstance, runInstance, type InstanceView } from '../data/marketplace.ts';
import { session } from '../data/session.ts';
import { ErrorPanel } from './error-panel.tsx';
import { Loading } from './loading.tsx';
import { RunForm } from './run-form.tsx';
import { runSchemaOf } from '../lib/instance-run.ts';

/**
 * Run from an instance: the version's form, starting from the instance's parameters; its
 * endpoints are locked (not in the form); its secrets, policies and quotas apply on the
 * server, which answers QUOTA_EXCEEDED (naming the quota) or INSTANCE_DISABLED.
 */
export function InstanceRun(props: { instance: InstanceView; onStarted: (run: RunStarted) => void }) {
  const i = () => props.instance;
  const spec = createAsync(() => definitionVersion(i().definitionId, i().version));
  const schema = createMemo(() => {
    const s = spec();
    return s ? runSchemaOf(s.spec.parameters, i().parameters, i().lockedParameters ?? []) : undefined;
  });
  const allowed = () => {
    const actor = session.actor();
    return actor ? mayRunInstance(actor, i().policies) : false;
  };
  return (
    <section class="card run-card" id="run" aria-labelledby="irun-title" data-testid="instance-run">
      <div class="run-card-head">
        <h2 id="irun-title">Run from this instance</h2>
      </div>
      <Show when={i().status === 'active'} fallback={<p class="muted">This instance is {i().status}: it takes no runs.</p>}>
        <Show when={allowed()} fallback={<p class="muted">The instance's policy lets {i().policies.runRoles?.join(', ')} run it.</p>}>
          <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(definitionVersion.key).then(reset)} />}>
            <Suspense fallback={<Loading label="Loading the parameters…" />}>
              <Show when={schema()} keyed>
                {(parameters) => (
                  <RunForm
                    definitionId={i().definitionId}
                    version={i().version}
                    parameters={parameters}
                    risk={(spec()?.spec.metadata.risk ?? 'low') as Risk}
                    start={(params) => runInstance(i().id, params)}
                    subject={
                      <>
                        Runs instance <code>{i().id}</code> (v{i().version}, {i().environment})
                      </>
                    }
                    onStarted={props.onStarted}
                  />
                )}
              </Show>
            </Suspense>
          </ErrorBoundary>
        </Show>
      </Show>
    </section>
  );
}
