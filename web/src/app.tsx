import { Route, Router } from '@solidjs/router';
import { Layout } from './components/layout.tsx';
import { RequireSession } from './components/require-session.tsx';
import { ApprovalsPage } from './pages/approvals.tsx';
import { CatalogPage } from './pages/catalog.tsx';
import { DefinitionPage } from './pages/definition.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { RunPage } from './pages/run.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { TaskDetailPage } from './pages/task-detail.tsx';
import { TasksPage } from './pages/tasks.tsx';
import { ValidatePage } from './pages/validate.tsx';

export function App() {
  return (
    <Router root={Layout}>
      <Route path="/sign-in" component={SignInPage} />
      <Route component={RequireSession}>
        <Route path="/" component={CatalogPage} />
        <Route path="/catalog/:id" component={DefinitionPage} />
        <Route path="/runs/:runId" component={RunPage} />
        <Route path="/tasks" component={TasksPage} />
        <Route path="/tasks/:name" component={TaskDetailPage} />
        <Route path="/validate" component={ValidatePage} />
        <Route path="/approvals" component={ApprovalsPage} />
      </Route>
      <Route path="*404" component={NotFoundPage} />
    </Router>
  );
}
