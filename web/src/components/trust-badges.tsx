import { For, Show } from 'solid-js';
import { trustBadges, type TrustBadgeInput } from '../lib/trust-badges.ts';

/**
 * A version's trust badges (reviewed, certified, signed, review overdue, deprecated,
 * failing …) for list rows, cards and details. Each badge's longer sentence (by whom, when,
 * until when, whose key) is its tooltip and, for screen readers, part of its text.
 */
export function TrustBadges(props: TrustBadgeInput & { label?: string; class?: string }) {
  const badges = () => trustBadges(props);
  return (
    <Show when={badges().length}>
      <ul class={`trust-badge-list ${props.class ?? ''}`} aria-label={props.label ?? 'Trust'} data-testid="trust-badges">
        <For each={badges()}>
          {(b) => (
            <li class={`badge trust-badge tone-${b.tone}`} data-testid="trust-badge" data-badge={b.id} title={b.detail}>
              <span aria-hidden="true">{ICONS[b.tone]}</span>
              {b.label}
              <span class="visually-hidden">: {b.detail}</span>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

const ICONS = { ok: '✓', info: '…', warn: '!', danger: '✕' } as const;
