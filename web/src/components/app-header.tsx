import { A, useLocation } from '@solidjs/router';
import { Show } from 'solid-js';
import { hasRole } from '../../../domain/actor.ts';
import { session } from '../data/session.ts';
import { CurrentUser } from './current-user.tsx';
import { PendingCount } from './pending-count.tsx';

export function AppHeader() {
  const location = useLocation();
  // The catalog's own pages (a workflow, its runs) keep "Catalog" lit.
  /** the review queue is for the platform's reviewers, admins and certifiers */
  const reviewsFor = () => {
    const a = session.actor();
    return a ? hasRole(a, 'platform-reviewer', 'platform-admin', 'platform-certifier') : false;
  };
  const inCatalog = () => location.pathname === '/' || location.pathname.startsWith('/catalog/') || location.pathname.startsWith('/runs/');
  return (
    <header class="app-header">
      <div class="header-inner">
        <A href="/" class="brand" end>
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span class="brand-name">Maestro Conductor</span>
          <span class="brand-sub">Switchboard</span>
        </A>
        <nav aria-label="Main" class="main-nav">
          <A href="/" end classList={{ active: inCatalog() }}>
            Catalog
          </A>
          <A href="/marketplace" activeClass="active">
            Marketplace
          </A>
          <A href="/instances" activeClass="active">
            Instances
          </A>
          <A href="/tasks" activeClass="active">
            Task Library
          </A>
          <A href="/validate" activeClass="active">
            Author
          </A>
          <A href="/approvals" activeClass="active">
            Approvals
            <PendingCount />
          </A>
          <Show when={reviewsFor()}>
            <A href="/reviews" activeClass="active">
              Reviews
            </A>
          </Show>
          <A href="/secrets" activeClass="active">
            Secrets
          </A>
          <A href="/policy/what-if" activeClass="active">
            What-if
          </A>
          <a href="/api/docs" target="_blank" rel="external noopener">
            API docs<span class="visually-hidden"> (opens in a new tab)</span>
            <span aria-hidden="true" class="external">
              ↗
            </span>
          </a>
        </nav>
        <CurrentUser />
      </div>
    </header>
  );
}
