import { createSignal, onCleanup, Show } from 'solid-js';
import type { CatalogFacets, FacetCount, FacetName } from '../data/catalog.ts';
import { hasFilters, RISK_ORDER, SCOPE_ORDER, withFilter, withoutFilters, withTag, type CatalogQuery, type SingleFilter } from '../lib/catalog-query.ts';
import { FacetGroup } from './facet-group.tsx';

const NARROW = '(max-width: 760px)';
const SCOPE_LABELS: Record<string, string> = { global: 'Global', 'tenant-local': 'Your tenant only' };
const CERTIFIED_LABELS: Record<string, string> = { true: 'Certified', false: 'Not certified' };

const countsOf = (list: FacetCount[] | undefined) => list && new Map(list.map((f) => [f.value, f.count]));
const valuesOf = (list: FacetCount[] | undefined) => (list ?? []).map((f) => f.value);

/**
 * Filters with counts. Single-valued filters are radio lists (the API takes one value each),
 * tags are checkboxes (an entry must carry every checked tag). On narrow screens the panel
 * folds into a disclosure that says how many filters are on.
 */
export function CatalogFacets(props: { query: CatalogQuery; facets: CatalogFacets | undefined; onChange: (q: CatalogQuery) => void }) {
  const media = window.matchMedia(NARROW);
  const [narrow, setNarrow] = createSignal(media.matches);
  const onMedia = () => setNarrow(media.matches);
  media.addEventListener('change', onMedia);
  onCleanup(() => media.removeEventListener('change', onMedia));

  const facet = (name: FacetName) => props.facets?.[name];
  const single = (key: SingleFilter) => (value: string | undefined) => props.onChange(withFilter(props.query, key, value));
  const selected = (key: SingleFilter) => {
    const v = props.query[key];
    return v === undefined ? [] : [v];
  };
  const active = () => props.query.tags.length + (['category', 'risk', 'scope', 'owner', 'ownerTeam', 'certified'] as const).filter((k) => props.query[k] !== undefined).length;

  return (
    <details class="facets-disclosure" open={!narrow()} data-testid="facets">
      <summary class="facets-summary">
        Filters
        <Show when={active()}>
          <span class="count">{active()}</span>
          <span class="visually-hidden"> on</span>
        </Show>
      </summary>
      <section class="facets" aria-labelledby="facets-title">
        <div class="facets-head">
          <h2 id="facets-title" class="section-title">
            Filters
          </h2>
          <button type="button" class="linkish" disabled={!hasFilters(props.query)} onClick={() => props.onChange(withoutFilters(props.query))}>
            Clear all
          </button>
        </div>
        <FacetGroup
          name="category"
          legend="Category"
          kind="radio"
          anyLabel="All categories"
          values={valuesOf(facet('category'))}
          counts={countsOf(facet('category'))}
          selected={selected('category')}
          onChange={single('category')}
        />
        <FacetGroup
          name="risk"
          legend="Risk"
          kind="radio"
          anyLabel="Any risk"
          values={[...RISK_ORDER]}
          counts={countsOf(facet('risk'))}
          selected={selected('risk')}
          onChange={single('risk')}
          note="High and critical: runs need approval."
        />
        <FacetGroup
          name="scope"
          legend="Scope"
          kind="radio"
          anyLabel="Global and your tenant's"
          values={[...SCOPE_ORDER]}
          counts={countsOf(facet('scope'))}
          selected={selected('scope')}
          onChange={single('scope')}
          label={(v) => SCOPE_LABELS[v] ?? v}
        />
        <FacetGroup
          name="ownerTeam"
          legend="Owner team"
          kind="radio"
          anyLabel="Any team"
          values={valuesOf(facet('ownerTeam'))}
          counts={countsOf(facet('ownerTeam'))}
          selected={selected('ownerTeam')}
          onChange={single('ownerTeam')}
        />
        <FacetGroup
          name="tags"
          legend="Tags"
          kind="checkbox"
          values={valuesOf(facet('tags'))}
          counts={countsOf(facet('tags'))}
          selected={props.query.tags}
          onChange={(tag, on) => tag && props.onChange(withTag(props.query, tag, on))}
          label={(v) => `#${v}`}
        />
        <FacetGroup
          name="certified"
          legend="Certification"
          kind="radio"
          anyLabel="Certified or not"
          values={['true', 'false']}
          counts={countsOf(facet('certified'))}
          selected={selected('certified')}
          onChange={single('certified')}
          label={(v) => CERTIFIED_LABELS[v] ?? v}
        />
        <Show when={props.query.owner}>
          {(owner) => (
            <p class="facet-owner">
              Owner <code>{owner()}</code>{' '}
              <button type="button" class="linkish" onClick={() => single('owner')(undefined)}>
                remove<span class="visually-hidden"> the owner filter</span>
              </button>
            </p>
          )}
        </Show>
      </section>
    </details>
  );
}
