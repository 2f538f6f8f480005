import { Navigate, useLocation } from '@solidjs/router';
import type { RouteSectionProps } from '@solidjs/router';
import { Show } from 'solid-js';
import { session } from '../data/session.ts';

/** Routes below this need a token; without one, go to sign-in and come back after. */
export function RequireSession(props: RouteSectionProps) {
  const location = useLocation();
  const next = () => encodeURIComponent(location.pathname + location.search);
  return (
    <Show when={session.token()} fallback={<Navigate href={`/sign-in?next=${next()}`} />}>
      {props.children}
    </Show>
  );
}
