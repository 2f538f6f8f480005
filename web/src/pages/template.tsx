import { A, createAsync, revalidate, useParams } from '@solidjs/router';
import { ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { isPermitted } from '../../../domain/access.ts';
import type { Risk } from '../../../domain/spec.ts';
import { ChangeKindBadge } from '../components/change-kind-badge.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { ExternalLink } from '../components/external-link.tsx';
import { Loading } from '../components/loading.tsx';
import { RiskBadge } from '../components/risk-badge.tsx';
import { installHref } from '../components/template-card.tsx';
import { TemplateCampaigns } from '../components/template-campaigns.tsx';
import { TemplateUsagePanel } from '../components/template-usage.tsx';
import { ReceiptList } from '../components/receipt-list.tsx';
import { TrustBadges } from '../components/trust-badges.tsx';
import { VersionTrust } from '../components/version-trust.tsx';
import { VisibilityBadge } from '../components/visibility-badge.tsx';
import { template, type TemplateDetail } from '../data/marketplace.ts';
import { session } from '../data/session.ts';
import { formatDate } from '../lib/format.ts';
import { usePageTitle } from '../lib/page-title.ts';

/** One marketplace template: what it offers, what an installer binds, its versions; usage for its publisher. */
export function TemplatePage() {
  const params = useParams<{ id: string }>();
  const detail = createAsync(() => template(params.id));
  usePageTitle(() => params.id);
  return (
    <div class="template-page">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/marketplace">Marketplace</A> <span aria-hidden="true">/</span> <span aria-current="page">{params.id}</span>
      </nav>
      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(template.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the template…" />}>
          <Show when={detail()}>{(d) => <TemplateView detail={d()} />}</Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}

function TemplateView(props: { detail: TemplateDetail }) {
  const d = () => props.detail;
  usePageTitle(() => d().title ?? d().name);
  const own = () => d().publisherTenant === session.actor()?.tenant;
  const canSeeCampaigns = () => {
    const actor = session.actor();
    return actor ? isPermitted(actor, 'campaign.read') : false;
  };
  const canInstall = () => {
    const actor = session.actor();
    return actor ? isPermitted(actor, 'install.request') : false;
  };
  return (
    <>
      <header class="page-head definition-head">
        <div class="definition-title">
          <h1>{d().title ?? d().name}</h1>
          <code class="row-id">{d().id}</code>
          <div class="badges head-badges">
            <VisibilityBadge visibility={d().visibility} />
            <RiskBadge risk={d().risk as Risk} />
            <span class="chip">{d().category}</span>
            <TrustBadges trust={d().trust} />
          </div>
        </div>
        <div class="head-actions">
          <Show
            when={canInstall()}
            fallback={<p class="muted small">Only a tenant admin of your tenant can install it.</p>}
          >
            <A href={installHref(d().id)} class="button primary" data-testid="install-template">
              Install from Marketplace
            </A>
          </Show>
        </div>
      </header>

      <div class="definition-layout">
        <div class="overview-main">
          <section class="detail-section overview-about" aria-label="Description">
            <Show when={d().summary && d().summary !== d().description}>
              <p class="overview-desc">
                <strong>{d().summary}</strong>
              </p>
            </Show>
            <p class="overview-desc">{d().description}</p>
          </section>

          <Show when={d().myInstances.length}>
            <section class="card side-card" aria-labelledby="my-instances-title">
              <h2 id="my-instances-title" class="section-title">
                Installed in your tenant
              </h2>
              <ul class="plain-list">
                <For each={d().myInstances}>
                  {(i) => (
                    <li>
                      <A href={`/instances/${encodeURIComponent(i.id)}`}>{i.id}</A> <span class="chip">{i.environment}</span> <code>v{i.version}</code>{' '}
                      <span class="muted">{i.status}</span>
                    </li>
                  )}
                </For>
              </ul>
            </section>
          </Show>

          <section class="detail-section" aria-labelledby="binds-title">
            <h3 id="binds-title">What an installer binds</h3>
            <p class="hint">Each installing tenant binds its own values: the publisher's secrets and endpoints are never copied or reachable.</p>
            <table class="plain-table" data-testid="template-bindings">
              <caption class="visually-hidden">Parameters and secrets an installer binds</caption>
              <thead>
                <tr>
                  <th scope="col">Binding</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Default</th>
                </tr>
              </thead>
              <tbody>
                <For each={d().bindings.parameters}>
                  {(p) => (
                    <tr>
                      <th scope="row">
                        <code>{p.name}</code>
                        <Show when={p.required}>
                          {' '}
                          <span class="chip chip-warn">required</span>
                        </Show>
                        <Show when={p.description}>
                          <span class="field-desc muted">{p.description}</span>
                        </Show>
                      </th>
                      <td>{p.endpoint ? 'endpoint (checked against your egress allow-list)' : (p.type ?? 'parameter')}</td>
                      <td>{p.default === undefined ? <span class="muted">—</span> : <code>{JSON.stringify(p.default)}</code>}</td>
                    </tr>
                  )}
                </For>
                <For each={d().bindings.secrets}>
                  {(s) => (
                    <tr>
                      <th scope="row">
                        <code>{s.name}</code>
                        <Show when={s.description}>
                          <span class="field-desc muted">{s.description}</span>
                        </Show>
                      </th>
                      <td>secret (one of your tenant's own)</td>
                      <td>
                        <span class="muted">—</span>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </section>

          <section class="detail-section" aria-labelledby="tversions-title">
            <h3 id="tversions-title">Versions you may install</h3>
            <div class="table-scroll">
              <table class="plain-table">
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Change</th>
                    <th scope="col">Published</th>
                    <th scope="col">Profile</th>
                    <th scope="col">Digest</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={d().versions}>
                    {(v) => (
                      <tr data-testid="template-version" data-version={v.version}>
                        <th scope="row">
                          <code>v{v.version}</code>
                        </th>
                        <td>
                          <ChangeKindBadge change={v} />
                        </td>
                        <td>
                          <time datetime={v.publishedAt}>{formatDate(v.publishedAt)}</time>
                        </td>
                        <td>
                          <VisibilityBadge visibility={v.visibility} />
                        </td>
                        <td>
                          <code class="workflow-id">{v.digest}</code>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
          </section>

          <section class="detail-section" aria-labelledby="ttrust-title" data-testid="template-trust">
            <h3 id="ttrust-title">Trust</h3>
            <VersionTrust
              definitionId={d().definitionId}
              version={d().latestVersion}
              publisherTenant={d().publisherTenant}
              digest={d().versions.find((v) => v.version === d().latestVersion)?.digest}
            />
          </section>

          <section class="detail-section" aria-labelledby="tprov-title" data-testid="template-provenance">
            <h3 id="tprov-title">Provenance</h3>
            <ReceiptList subjects={d().versions.slice(0, 5).map((v) => `${d().definitionId}@${v.version}`)} empty="No signed receipts for these versions yet." />
          </section>

          <Show when={own()}>
            <TemplateUsagePanel templateId={d().id} />
            <Show when={canSeeCampaigns()}>
              <TemplateCampaigns templateId={d().id} />
            </Show>
          </Show>
        </div>

        <aside class="definition-side">
          <section class="card side-card" aria-labelledby="tfacts-title">
            <h2 id="tfacts-title" class="section-title">
              Offer
            </h2>
            <dl class="side-facts">
              <div>
                <dt>Publisher</dt>
                <dd data-testid="publisher-tenant">{d().publisherTenant}</dd>
              </div>
              <div>
                <dt>Published by</dt>
                <dd>{d().publisher}</dd>
              </div>
              <div>
                <dt>Latest</dt>
                <dd>
                  <code>v{d().latestVersion}</code>
                </dd>
              </div>
              <div>
                <dt>Installs</dt>
                <dd data-testid="installs-count" data-count={d().installs}>
                  {d().installs} {d().installs === 1 ? 'tenant' : 'tenants'}
                </dd>
              </div>
              <div>
                <dt>Runs in</dt>
                <dd>{d().environments.join(', ')}</dd>
              </div>
              <div>
                <dt>Regions</dt>
                <dd>{d().regions.length ? d().regions.join(', ') : <span class="muted">any</span>}</dd>
              </div>
              <Show when={d().visibility === 'partner-curated' ? d().audience : undefined}>
                {(a) => (
                  <div>
                    <dt>Curated list</dt>
                    <dd data-testid="audience">{a().length ? a().join(', ') : <span class="muted">empty</span>}</dd>
                  </div>
                )}
              </Show>
            </dl>
            <Show when={d().temporalUrl}>
              {(url) => (
                <p class="small">
                  <ExternalLink href={url()}>Its publish in Temporal</ExternalLink>
                </p>
              )}
            </Show>
          </section>
        </aside>
      </div>
    </>
  );
}
