import { Route, Router, type RoutePreloadFuncArgs } from '@solidjs/router';
import { lazy } from 'solid-js';
import { Layout } from './components/layout.tsx';
import { RequireSession } from './components/require-session.tsx';
import { catalogDetail } from './data/catalog.ts';
import { CatalogPage } from './pages/catalog.tsx';

// The catalog is the landing page and ships in the main chunk; every other page is loaded
// on first visit (the router also starts loading it when a link to it is hovered).
const CatalogDetailPage = lazy(() => import('./pages/catalog-detail.tsx').then((m) => ({ default: m.CatalogDetailPage })));
const RunPage = lazy(() => import('./pages/run.tsx').then((m) => ({ default: m.RunPage })));
const TasksPage = lazy(() => import('./pages/tasks.tsx').then((m) => ({ default: m.TasksPage })));
const TaskDetailPage = lazy(() => import('./pages/task-detail.tsx').then((m) => ({ default: m.TaskDetailPage })));
const ValidatePage = lazy(() => import('./pages/validate.tsx').then((m) => ({ default: m.ValidatePage })));
const MarketplacePage = lazy(() => import('./pages/marketplace.tsx').then((m) => ({ default: m.MarketplacePage })));
const TemplatePage = lazy(() => import('./pages/template.tsx').then((m) => ({ default: m.TemplatePage })));
const InstallPage = lazy(() => import('./pages/install.tsx').then((m) => ({ default: m.InstallPage })));
const InstancesPage = lazy(() => import('./pages/instances.tsx').then((m) => ({ default: m.InstancesPage })));
const InstancePage = lazy(() => import('./pages/instance.tsx').then((m) => ({ default: m.InstancePage })));
const UpgradePlanPage = lazy(() => import('./pages/upgrade-plan.tsx').then((m) => ({ default: m.UpgradePlanPage })));
const UpgradePage = lazy(() => import('./pages/upgrade.tsx').then((m) => ({ default: m.UpgradePage })));
const CampaignPage = lazy(() => import('./pages/campaign.tsx').then((m) => ({ default: m.CampaignPage })));
const SecretsPage = lazy(() => import('./pages/secrets.tsx').then((m) => ({ default: m.SecretsPage })));
const ApprovalsPage = lazy(() => import('./pages/approvals.tsx').then((m) => ({ default: m.ApprovalsPage })));
const ReviewsPage = lazy(() => import('./pages/reviews.tsx').then((m) => ({ default: m.ReviewsPage })));
const ReviewPage = lazy(() => import('./pages/review.tsx').then((m) => ({ default: m.ReviewPage })));
const WhatIfPage = lazy(() => import('./pages/what-if.tsx').then((m) => ({ default: m.WhatIfPage })));
const SignInPage = lazy(() => import('./pages/sign-in.tsx').then((m) => ({ default: m.SignInPage })));
const SignInCallbackPage = lazy(() => import('./pages/sign-in-callback.tsx').then((m) => ({ default: m.SignInCallbackPage })));
const NotFoundPage = lazy(() => import('./pages/not-found.tsx').then((m) => ({ default: m.NotFoundPage })));

/** A workflow's detail is fetched while its page's code loads, not after (its page shows any error). */
const preloadDetail = ({ params }: RoutePreloadFuncArgs) => void catalogDetail(params.id!).catch(() => {});

export function App() {
  return (
    <Router root={Layout}>
      <Route path="/sign-in" component={SignInPage} />
      <Route path="/sign-in/callback" component={SignInCallbackPage} />
      <Route component={RequireSession}>
        <Route path="/" component={CatalogPage} />
        <Route path="/catalog/:id" component={CatalogDetailPage} preload={preloadDetail} />
        <Route path="/runs/:runId" component={RunPage} />
        <Route path="/tasks" component={TasksPage} />
        <Route path="/tasks/:name" component={TaskDetailPage} />
        <Route path="/validate" component={ValidatePage} />
        <Route path="/approvals" component={ApprovalsPage} />
        <Route path="/reviews" component={ReviewsPage} />
        <Route path="/reviews/:id/:version/:kind" component={ReviewPage} />
        <Route path="/secrets" component={SecretsPage} />
        <Route path="/marketplace" component={MarketplacePage} />
        <Route path="/marketplace/:id" component={TemplatePage} />
        <Route path="/marketplace/:id/install" component={InstallPage} />
        <Route path="/marketplace/:id/campaigns/:version" component={CampaignPage} />
        <Route path="/instances" component={InstancesPage} />
        <Route path="/instances/:id" component={InstancePage} />
        <Route path="/instances/:id/upgrade" component={UpgradePlanPage} />
        <Route path="/instances/:id/upgrades/:version" component={UpgradePage} />
        <Route path="/policy/what-if" component={WhatIfPage} />
      </Route>
      <Route path="*404" component={NotFoundPage} />
    </Router>
  );
}
