import { describe, expect, it } from 'vitest';
import { catalogApiPath, catalogHref, hasFilters, parseCatalogQuery, withFilter, withoutFilters, withTag } from './catalog-query.ts';

describe('catalog URL state', () => {
  it('reads what the API accepts and drops what it would refuse', () => {
    expect(parseCatalogQuery('?q=%20payroll%20&category=HR&risk=high&tags=Access,onboarding,bad_tag,access&certified=true&sort=usage')).toEqual({
      q: 'payroll',
      category: 'HR',
      risk: 'high',
      tags: ['access', 'onboarding'],
      certified: 'true',
      sort: 'usage',
    });
    expect(parseCatalogQuery('?risk=extreme&scope=planet&sort=random&category=%60x%60&certified=maybe')).toEqual({ q: '', tags: [], sort: 'relevance' });
  });

  it('writes a canonical URL (fixed key order, defaults left out) that reads back the same', () => {
    const q = parseCatalogQuery('?sort=updated&risk=low&q=vpn&tags=a,b&ownerTeam=platform');
    expect(catalogHref(q)).toBe('/?q=vpn&risk=low&ownerTeam=platform&tags=a%2Cb&sort=updated');
    expect(parseCatalogQuery(catalogHref(q).slice(1))).toEqual(q);
    expect(catalogHref(parseCatalogQuery('?sort=relevance'))).toBe('/');
    expect(catalogApiPath(q, 3, 100)).toBe('/api/catalog?q=vpn&risk=low&ownerTeam=platform&tags=a%2Cb&sort=updated&page=3&perPage=100');
  });

  it('changes one filter at a time; clearing keeps the words and the sort', () => {
    const q = parseCatalogQuery('?q=vpn&category=IT&tags=a&sort=usage');
    expect(withFilter(q, 'risk', 'high')).toMatchObject({ category: 'IT', risk: 'high' });
    expect(withFilter(q, 'category', undefined)).not.toHaveProperty('category');
    expect(withTag(withTag(q, 'b', true), 'a', false).tags).toEqual(['b']);
    expect(withoutFilters(q)).toEqual({ q: 'vpn', tags: [], sort: 'usage' });
    expect(hasFilters(withoutFilters(q))).toBe(false);
    expect(hasFilters(q)).toBe(true);
  });
});
