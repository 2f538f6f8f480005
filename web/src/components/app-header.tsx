import { A } from '@solidjs/router';
import { CurrentUser } from './current-user.tsx';
import { PendingCount } from './pending-count.tsx';

export function AppHeader() {
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
          <A href="/" end activeClass="active">
            Catalog
          </A>
          <A href="/approvals" activeClass="active">
            Approvals
            <PendingCount />
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
