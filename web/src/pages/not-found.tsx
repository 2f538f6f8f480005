import { A } from '@solidjs/router';
import { usePageTitle } from '../lib/page-title.ts';

export function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <div class="page-head">
      <h1>Page not found</h1>
      <p class="lede">
        Nothing lives at this address. Go to the <A href="/">catalog</A>.
      </p>
    </div>
  );
}
