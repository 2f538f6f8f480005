import { A, createAsync, revalidate, useNavigate, useParams, useSearchParams } from '@solidjs/router';
import { ErrorBoundary, For, Match, Show, Suspense, Switch } from 'solid-js';
import type { Risk, Scope } from '../../../domain/spec.ts';
import { CatalogApprovals } from '../components/catalog-approvals.tsx';
import { CatalogOverview } from '../components/catalog-overview.tsx';
import { CatalogProvenance } from '../components/catalog-provenance.tsx';
import { CatalogTrust } from '../components/catalog-trust.tsx';
import { CatalogVersions } from '../components/catalog-versions.tsx';
import { ReceiptList } from '../components/receipt-list.tsx';
import { TrustBadges } from '../components/trust-badges.tsx';
import { VersionTrust } from '../components/version-trust.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { RiskBadge } from '../components/risk-badge.tsx';
import { SchemaTable } from '../components/schema-table.tsx';
import { ScopeBadge } from '../components/scope-badge.tsx';
import { Tabs, type TabDef } from '../components/tabs.tsx';
import { catalogDetail, type CatalogDetail } from '../data/catalog.ts';
import { isHighRisk } from '../data/definitions.ts';
import { session } from '../data/session.ts';
import { statusLabel } from '../lib/format.ts';
import { usePageTitle } from '../lib/page-title.ts';

/** receipts are listed for this many of the newest versions */
const RECEIPT_VERSIONS = 5;

const TAB_IDS = ['overview', 'parameters', 'versions', 'approvals', 'trust', 'provenance'] as const;
type TabId = (typeof TAB_IDS)[number];

export function CatalogDetailPage() {
  const params = useParams<{ id: string }>();
  const detail = createAsync(() => catalogDetail(params.id));
  // Not from detail(): read outside the ErrorBoundary, a failed load would throw here.
  usePageTitle(() => params.id);

  return (
    <div class="definition">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/">Catalog</A> <span aria-hidden="true">/</span> <span aria-current="page">{params.id}</span>
      </nav>
      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(catalogDetail.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the workflow…" />}>
          <Show when={detail()}>{(d) => <DetailView detail={d()} />}</Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}

function DetailView(props: { detail: CatalogDetail }) {
  const d = () => props.detail;
  usePageTitle(() => d().title ?? d().name);
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams<{ tab?: string; version?: string }>();
  const tab = (): TabId => (TAB_IDS.includes(search.tab as TabId) ? (search.tab as TabId) : 'overview');
  const high = () => isHighRisk(d().risk);
  const failing = () => d().trust.warnings.some((w) => w.startsWith('failing'));
  /** the version whose trust the Trust tab shows: the one picked (`?version=`), else the newest published, else the newest */
  const trustVersion = () => {
    const v = (search.version && d().versions.some((x) => x.version === search.version) ? search.version : undefined) ?? d().latestVersion ?? d().versions[0]?.version;
    return v ? d().versions.find((x) => x.version === v) : undefined;
  };
  const trustVersions = () => d().versions.filter((v) => v.status === 'published');
  const published = () => d().versions.some((v) => v.status === 'published');
  /** another tenant's workflow runs from an instance: the header offers the install instead */
  const foreign = () => {
    const tenant = session.actor()?.tenant;
    return Boolean(tenant && d().tenantId !== tenant);
  };

  const tabs = (): TabDef[] => [
    { id: 'overview', label: 'Overview' },
    { id: 'parameters', label: 'Parameters' },
    { id: 'versions', label: 'Versions', note: d().versions.length },
    { id: 'approvals', label: 'Approvals', ...(d().approvals.length ? { note: d().approvals.length } : {}) },
    { id: 'trust', label: 'Trust & health' },
    { id: 'provenance', label: 'Provenance', ...(d().provenance.length ? { note: d().provenance.length } : {}) },
  ];
  // Tabs replace the history entry: Back leaves the workflow rather than stepping through tabs.
  const selectTab = (id: string) => setSearch({ tab: id === 'overview' ? undefined : id, version: undefined }, { replace: true, scroll: false });

  /** "Run workflow" in the header: to the form on the overview, below what a run waits for. */
  const goToRun = () => {
    if (tab() !== 'overview') selectTab('overview');
    requestAnimationFrame(() => {
      const card = document.getElementById('run');
      card?.scrollIntoView({ block: 'start' });
      card?.querySelector<HTMLElement>('input, select, textarea, button[type="submit"]')?.focus({ preventScroll: true });
    });
  };

  return (
    <>
      <header class="page-head definition-head">
        <div class="definition-title">
          <h1>{d().title ?? d().name}</h1>
          <code class="row-id">{d().id}</code>
          <div class="badges head-badges">
            <RiskBadge risk={d().risk as Risk} />
            <ScopeBadge scope={d().scope as Scope} />
            <span class="chip">{d().category}</span>
            <TrustBadges trust={d().trust} failing={failing()} />
            <Show when={d().status !== 'published'}>
              <span class="chip chip-warn">{statusLabel(d().status)}</span>
            </Show>
          </div>
        </div>
        <div class="head-actions">
          <Show when={high()}>
            <p class="head-approval" data-testid="head-approval-note">
              <span aria-hidden="true">‖ </span>
              {d().approvalRequirements.length
                ? `Runs wait for ${d().approvalRequirements.length === 1 ? 'an approval step' : `${d().approvalRequirements.length} approval steps`}`
                : `${d().risk === 'critical' ? 'Critical' : 'High'}-risk workflow`}
            </p>
          </Show>
          <Show
            when={!foreign()}
            fallback={
              <A href={`/marketplace/${encodeURIComponent(d().id)}`} class="button primary" data-testid="install-from-marketplace">
                Install from Marketplace
              </A>
            }
          >
            <button type="button" class="button primary" disabled={!published()} onClick={goToRun} data-testid="run-workflow">
              Run workflow
            </button>
          </Show>
        </div>
      </header>

      <Tabs label="Workflow details" idPrefix="detail" tabs={tabs()} selected={tab()} onSelect={selectTab}>
        {(id) => (
          <Switch>
            <Match when={id === 'overview'}>
              <CatalogOverview detail={d()} onStarted={(run) => navigate(`/runs/${encodeURIComponent(run.runId)}`)} />
            </Match>
            <Match when={id === 'parameters'}>
              <ParametersPanel detail={d()} />
            </Match>
            <Match when={id === 'versions'}>
              <CatalogVersions detail={d()} />
            </Match>
            <Match when={id === 'approvals'}>
              <CatalogApprovals detail={d()} viewerTenant={session.actor()?.tenant} />
            </Match>
            <Match when={id === 'trust'}>
              <CatalogTrust detail={d()} />
              <Show when={trustVersion()}>
                {(v) => (
                  <>
                    <Show when={trustVersions().length > 1}>
                      <label class="filter-label version-pick">
                        Trust of version{' '}
                        <select
                          data-testid="trust-version"
                          value={v().version}
                          onChange={(e) => setSearch({ version: e.currentTarget.value }, { replace: true, scroll: false })}
                        >
                          <For each={trustVersions()}>{(x) => <option value={x.version}>v{x.version}</option>}</For>
                        </select>
                      </label>
                    </Show>
                    <VersionTrust definitionId={d().id} version={v().version} publisherTenant={d().tenantId} digest={v().digest} />
                  </>
                )}
              </Show>
            </Match>
            <Match when={id === 'provenance'}>
              <ReceiptList subjects={d().versions.slice(0, RECEIPT_VERSIONS).map((v) => `${d().id}@${v.version}`)} empty="No signed receipts for this workflow's versions yet." />
              <section class="detail-section" aria-labelledby="catalog-updates-title">
                <h3 id="catalog-updates-title">Catalog updates</h3>
                <CatalogProvenance detail={d()} />
              </section>
            </Match>
          </Switch>
        )}
      </Tabs>
    </>
  );
}

function ParametersPanel(props: { detail: CatalogDetail }) {
  const p = () => props.detail.parameters;
  return (
    <>
      <section class="detail-section" aria-labelledby="params-title">
        <h3 id="params-title">
          Parameters
          <Show when={p().version}>
            {(v) => <span class="h3-version"> of v{v()}</span>}
          </Show>
        </h3>
        <p class="hint">What a run asks for; the run form is generated from this schema.</p>
        <SchemaTable schema={p().schema ?? {}} caption={`Parameters of ${props.detail.id}`} empty="This workflow takes no parameters." />
      </section>
      <section class="detail-section" aria-labelledby="secrets-title">
        <h3 id="secrets-title">Secrets</h3>
        <Show when={p().secrets.length} fallback={<p class="muted">Needs no secrets.</p>}>
          <p class="hint">Stored per tenant and resolved at run time; their values never appear here or in run histories.</p>
          <table class="plain-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">What it is for</th>
              </tr>
            </thead>
            <tbody>
              <For each={p().secrets}>
                {(s) => (
                  <tr data-testid="secret-row" data-name={s.name}>
                    <th scope="row">
                      <code>{s.name}</code>
                    </th>
                    <td>{s.description ?? <span class="muted">—</span>}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </section>
    </>
  );
}
