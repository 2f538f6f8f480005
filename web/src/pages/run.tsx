import { A, createAsync, useParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, on, onCleanup, Show, Suspense } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { CancelRun } from '../components/cancel-run.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { RunStep, StepTiming } from '../components/run-step.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { WatchIndicator } from '../components/watch-indicator.tsx';
import { definitionDetail } from '../data/definitions.ts';
import { watchRun, type WatchMode } from '../data/run-stream.ts';
import { actorName, isTerminalRun, type RunStep as Step, type RunView } from '../data/runs.ts';
import { formatDateTime, formatDuration } from '../lib/format.ts';
import { createNow } from '../lib/now.ts';
import { usePageTitle } from '../lib/page-title.ts';

/** Top-level entries of the step list: a step, or a parallel group with its members. */
type Unit = { key: string; kind: 'step'; step: Step } | { key: string; kind: 'group'; id: string; container?: Step; members: Step[] };

function unitsOf(steps: Step[]): Unit[] {
  const groupIds = new Set(steps.map((s) => s.parallelGroup).filter((g): g is string => Boolean(g)));
  const groups = new Map<string, Extract<Unit, { kind: 'group' }>>();
  const units: Unit[] = [];
  const group = (id: string) => {
    let g = groups.get(id);
    if (!g) {
      g = { key: `group:${id}`, kind: 'group', id, members: [] };
      groups.set(id, g);
      units.push(g);
    }
    return g;
  };
  for (const s of steps) {
    if (groupIds.has(s.id) && !s.parallelGroup) group(s.id).container = s;
    else if (s.parallelGroup) group(s.parallelGroup).members.push(s);
    else units.push({ key: `step:${s.id}`, kind: 'step', step: s });
  }
  return units;
}

export function RunPage() {
  const params = useParams<{ runId: string }>();
  const [run, setRun] = createStore<{ state?: RunView }>({});
  const [mode, setMode] = createSignal<WatchMode>('connecting');
  const [fatal, setFatal] = createSignal<unknown>();
  const [trouble, setTrouble] = createSignal(false);
  const definitionId = () => run.state?.definitionId;
  // Only for the heading: a definition that cannot be read leaves the id in its place.
  const definition = createAsync(() => {
    const id = definitionId();
    return id ? definitionDetail(id).catch(() => undefined) : Promise.resolve(undefined);
  });
  const title = () => definition()?.title ?? definitionId();
  usePageTitle(() => (run.state ? `Run of ${title()} (${run.state.status})` : 'Run'));

  createEffect(
    on(
      () => params.runId,
      (runId) => {
        setRun('state', undefined);
        setFatal(undefined);
        const stop = watchRun(runId, {
          // Steps keep their identity across updates (keyed by id), so an approval form
          // being typed into is not re-created when the next state arrives.
          onState: (s) => {
            setTrouble(false);
            setRun('state', reconcile(s, { key: 'id', merge: true }));
          },
          onMode: setMode,
          onError: (e, isFatal) => (isFatal ? setFatal(e) : setTrouble(true)),
        });
        onCleanup(stop);
      },
    ),
  );

  const s = () => run.state;
  const running = () => s()?.status === 'running';
  const now = createNow(() => running());
  const units = createMemo(() => unitsOf(s()?.steps ?? []));
  const unitKeys = createMemo(() => units().map((u) => u.key), undefined, { equals: (a, b) => a.length === b.length && a.every((k, i) => k === b[i]) });
  const unit = (key: string) => units().find((u) => u.key === key);
  const duration = () => {
    const st = s();
    if (!st) return undefined;
    if (st.durationMs !== undefined) return st.durationMs;
    const end = st.finishedAt ? Date.parse(st.finishedAt) : now();
    return end - Date.parse(st.startedAt);
  };
  // Progress counts the steps that do work, not the parallel groups that hold them.
  const leaves = createMemo(() => {
    const steps = s()?.steps ?? [];
    const containers = new Set(steps.map((x) => x.parallelGroup).filter(Boolean));
    return steps.filter((x) => !containers.has(x.id));
  });
  const leafCount = () => leaves().length;
  const leafDone = () => leaves().filter((x) => x.status === 'completed' || x.status === 'skipped').length;
  const waiting = () => (s()?.steps ?? []).filter((x) => x.status === 'waiting_approval');

  return (
    <div class="run-page">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/">Catalog</A> <span aria-hidden="true">/</span>{' '}
        <Show when={s()} fallback={<span>…</span>}>
          {(st) => <A href={`/catalog/${encodeURIComponent(st().definitionId)}`}>{st().definitionId}</A>}
        </Show>{' '}
        <span aria-hidden="true">/</span> <span aria-current="page">Run {params.runId.slice(0, 8)}</span>
      </nav>

      <Show when={!fatal()} fallback={<ErrorPanel error={fatal()} />}>
        <Show when={s()} fallback={<Loading label="Connecting to the run…" />}>
          {(st) => (
            <>
              <header class="page-head run-head">
                <div>
                  <h1>
                    Run of <Suspense fallback={st().definitionId}>{title()}</Suspense> <span class="version">v{st().version}</span>
                  </h1>
                  <code class="row-id">{st().workflowId}</code>
                </div>
                <div class="run-head-side">
                  <StatusBadge status={st().status} testId="run-status" />
                  <WatchIndicator mode={mode()} trouble={trouble()} />
                </div>
              </header>

              <dl class="facts run-facts">
                <div>
                  <dt>Duration</dt>
                  <dd data-testid="run-duration">
                    {duration() === undefined ? '—' : formatDuration(Math.max(0, duration()!))}
                    {running() ? ' so far' : ''}
                  </dd>
                </div>
                <div>
                  <dt>Progress</dt>
                  <dd>
                    {leafDone()} of {leafCount()} steps done
                    <progress max={Math.max(1, leafCount())} value={leafDone()} aria-hidden="true" />
                  </dd>
                </div>
                <div>
                  <dt>Started</dt>
                  <dd>
                    <time datetime={st().startedAt}>{formatDateTime(st().startedAt)}</time> by {actorName(st().startedBy)}
                  </dd>
                </div>
                <div>
                  <dt>Workflow</dt>
                  <dd>
                    <a href={st().temporalUrl} target="_blank" rel="noopener noreferrer" class="temporal-link">
                      Open in Temporal<span class="visually-hidden"> (opens in a new tab)</span>
                      <span aria-hidden="true"> ↗</span>
                    </a>
                  </dd>
                </div>
              </dl>

              <Show when={st().policyHold}>
                {(h) => (
                  <div class="banner banner-warn" role="status" data-testid="run-policy-hold">
                    <strong>Held by policy</strong> since {formatDateTime(h().since)}: <For each={h().rules}>{(r, i) => <>{i() ? ', ' : ''}<code>{r}</code></>}</For>. The first
                    step starts once a {h().overrideRoles.join(' or ')} other than the starter overrides it with a rationale.
                  </div>
                )}
              </Show>
              <Show when={st().status === 'cancelled'}>
                <div class="banner banner-warn" role="status" data-testid="run-cancelled">
                  <strong>Cancelled</strong>
                  <Show when={st().cancellation} fallback=".">
                    {(c) => (
                      <>
                        {' '}
                        by {c().by} at {formatDateTime(c().at)}
                        {c().reason ? `: ${c().reason}` : '.'}
                      </>
                    )}
                  </Show>
                </div>
              </Show>
              <Show when={st().error && st().status !== 'cancelled' ? st().error : undefined}>
                {(e) => (
                  <div class="banner banner-danger" role="alert" data-testid="run-error">
                    <strong>The run failed</strong>
                    <Show when={e().stepId}>{(id) => <> at step <code>{id()}</code></>}</Show>: <code class="error-code">{e().code}</code> {e().message}
                    <Show when={e().details?.length}>
                      <ul class="error-details">
                        <For each={e().details}>
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
              <Show when={st().status === 'completed'}>
                <div class="banner banner-ok" role="status" data-testid="run-completed">
                  <strong>Completed</strong>
                  {st().finishedAt ? ` at ${formatDateTime(st().finishedAt!)}` : ''}.
                </div>
              </Show>
              <Show when={waiting().length}>
                <div class="banner banner-info" role="status">
                  <strong>Waiting for approval:</strong> {waiting().map((w) => w.id).join(', ')}.
                </div>
              </Show>

              <Show when={!isTerminalRun(st().status)}>
                <div class="run-actions">
                  <CancelRun run={st()} />
                </div>
              </Show>

              <section aria-labelledby="steps-title" class="steps-section">
                <h2 id="steps-title" class="section-title">
                  Steps
                </h2>
                <ol class="run-steps">
                  <For each={unitKeys()}>
                    {(key) => {
                      const u = () => unit(key);
                      return (
                        <Show when={u()}>
                          {(current) => (
                            <Show
                              when={current().kind === 'group' ? (current() as Extract<Unit, { kind: 'group' }>) : undefined}
                              fallback={
                                <RunStep step={(current() as Extract<Unit, { kind: 'step' }>).step} run={st()} now={now()} />
                              }
                            >
                              {(g) => (
                                <li
                                  class="step-group"
                                  data-testid={g().container ? 'run-step' : 'run-step-group'}
                                  data-step-id={g().id}
                                  data-status={g().container?.status}
                                  aria-labelledby={`group-${g().id}`}
                                >
                                  <span class={`step-dot st-${g().container?.status ?? 'pending'}`} aria-hidden="true">
                                    ⇉
                                  </span>
                                  <div class="group-main">
                                    <div class="group-head">
                                      <h3 id={`group-${g().id}`} class="step-id">
                                        {g().id} <span class="muted small">· {g().members.length} steps in parallel</span>
                                      </h3>
                                      <Show when={g().container}>
                                        {(c) => (
                                          <>
                                            <StatusBadge status={c().status} label />
                                            <StepTiming step={c()} now={now()} />
                                          </>
                                        )}
                                      </Show>
                                    </div>
                                    <ol class="run-steps group-members">
                                      <For each={g().members}>
                                        {(m) => <RunStep step={m} run={st()} now={now()} />}
                                      </For>
                                    </ol>
                                  </div>
                                </li>
                              )}
                            </Show>
                          )}
                        </Show>
                      );
                    }}
                  </For>
                </ol>
              </section>
            </>
          )}
        </Show>
      </Show>
    </div>
  );
}
