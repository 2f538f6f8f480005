-- Provenance names versions (issue 5): which version a publish row is about.

-- 1. A publish run writes the entry's document for the version it published. Other
--    tenants may only see versions that are published with global scope, so the detail and
--    the search document show them a publish row only when its version is one of those:
--    the row must say which version it is about. Null for the other lifecycles.
alter table catalog_update add column version text;

-- 2. Rows written before: the publish workflow's id is `publish/<definition>/<version>`.
update catalog_update
set version = substr(workflow_id, length('publish/' || definition_id || '/') + 1)
where lifecycle = 'publish'
  and starts_with(workflow_id, 'publish/' || definition_id || '/')
  and strpos(substr(workflow_id, length('publish/' || definition_id || '/') + 1), '/') = 0;

-- 3. Health rollups keep the newest 10 health-rollup rows and the newest 10 snapshots of
--    an entry (activities/health.ts); trim what earlier rollups left behind once.
delete from catalog_update c
using (
  select id, row_number() over (partition by definition_id order by id desc) as n
  from catalog_update where lifecycle = 'health-rollup') old
where c.id = old.id and old.n > 10;

delete from health_snapshot h
using (
  select definition_id, window_end, row_number() over (partition by definition_id order by window_end desc) as n
  from health_snapshot) old
where h.definition_id = old.definition_id and h.window_end = old.window_end and old.n > 10;
