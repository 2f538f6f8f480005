import { createEffect } from 'solid-js';

export function usePageTitle(title: string | (() => string)) {
  createEffect(() => {
    document.title = `${typeof title === 'function' ? title() : title} · Maestro Switchboard`;
  });
}
