import { Route, Router } from '@solidjs/router';
import { Layout } from './components/layout.tsx';
import { RequireSession } from './components/require-session.tsx';
import { ApprovalsPage } from './pages/approvals.tsx';
import { CatalogPage } from './pages/catalog.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { SignInPage } from './pages/sign-in.tsx';

export function App() {
  return (
    <Router root={Layout}>
      <Route path="/sign-in" component={SignInPage} />
      <Route component={RequireSession}>
        <Route path="/" component={CatalogPage} />
        <Route path="/approvals" component={ApprovalsPage} />
      </Route>
      <Route path="*404" component={NotFoundPage} />
    </Router>
  );
}
