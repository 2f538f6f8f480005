import { For, Show, type JSX } from 'solid-js';

export interface TabDef {
  id: string;
  label: string;
  /** a short count or note after the label, e.g. the number of versions */
  note?: string | number;
}

/**
 * The WAI-ARIA tabs pattern with automatic activation: one tab stop, Left/Right move and
 * select (wrapping), Home/End go to the ends. Only the selected panel is rendered.
 */
export function Tabs(props: { label: string; idPrefix: string; tabs: TabDef[]; selected: string; onSelect: (id: string) => void; children: (id: string) => JSX.Element }) {
  let list: HTMLDivElement | undefined;
  const tabId = (id: string) => `${props.idPrefix}-tab-${id}`;
  const panelId = (id: string) => `${props.idPrefix}-panel-${id}`;

  const select = (index: number) => {
    const n = props.tabs.length;
    const tab = props.tabs[((index % n) + n) % n]!;
    props.onSelect(tab.id);
    list?.querySelector<HTMLElement>(`#${CSS.escape(tabId(tab.id))}`)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const i = props.tabs.findIndex((t) => t.id === props.selected);
    const moves: Record<string, number> = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: props.tabs.length - 1 };
    const next = moves[e.key];
    if (next === undefined || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    select(next);
  };

  return (
    <div class="tabs">
      <div ref={list} role="tablist" aria-label={props.label} class="tab-list" onKeyDown={onKeyDown}>
        <For each={props.tabs}>
          {(tab) => (
            <button
              type="button"
              role="tab"
              id={tabId(tab.id)}
              class="tab"
              data-testid="tab"
              data-tab={tab.id}
              aria-selected={tab.id === props.selected}
              aria-controls={tab.id === props.selected ? panelId(tab.id) : undefined}
              tabIndex={tab.id === props.selected ? 0 : -1}
              onClick={() => props.onSelect(tab.id)}
            >
              {tab.label}
              <Show when={tab.note !== undefined}>
                <span class="tab-note">{tab.note}</span>
              </Show>
            </button>
          )}
        </For>
      </div>
      <div role="tabpanel" id={panelId(props.selected)} aria-labelledby={tabId(props.selected)} class="tab-panel" tabIndex={0} data-testid="tab-panel" data-tab={props.selected}>
        {props.children(props.selected)}
      </div>
    </div>
  );
}
