import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { TERMINAL_UPGRADE_STATUSES, upgradePlanHref, type InstanceUpgradeFields } from '../data/upgrades.ts';

/**
 * "Upgrade available (breaking) v2.0.0": the newest version the tenant may install, with
 * its computed change kind; a link to the plan for whoever may start one.
 */
export function UpgradeAvailable(props: { instanceId: string; fields: InstanceUpgradeFields; link?: boolean }) {
  const underWay = () => {
    const u = props.fields.upgrade;
    return Boolean(u && u.toVersion === props.fields.upgradeAvailable?.version && !TERMINAL_UPGRADE_STATUSES.includes(u.status));
  };
  return (
    <Show when={underWay() ? undefined : props.fields.upgradeAvailable}>
      {(u) => {
        const text = () => `Upgrade available (${u().changeKind})`;
        const body = () => (
          <>
            <span aria-hidden="true">↑ </span>
            {text()} <code>v{u().version}</code>
          </>
        );
        return (
          <span class={`upgrade-available change-${u().changeKind}`} data-testid="upgrade-available" data-kind={u().changeKind} data-version={u().version}>
            <Show when={props.link !== false} fallback={body()}>
              <A href={upgradePlanHref(props.instanceId, u().version)}>{body()}</A>
            </Show>
          </span>
        );
      }}
    </Show>
  );
}
