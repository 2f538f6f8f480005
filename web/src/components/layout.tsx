import type { RouteSectionProps } from '@solidjs/router';
import { AppHeader } from './app-header.tsx';

export function Layout(props: RouteSectionProps) {
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader />
      <main id="main" tabindex="-1" class="page">
        {props.children}
      </main>
    </>
  );
}
