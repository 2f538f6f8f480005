-- Catalog projection, second edition (issue 5).

-- 1. Provenance of catalog updates: one row per change of an entry's search document,
--    written by the lifecycle activity that made the change (publish, health rollup,
--    reindex). The newest row is the provenance the document carries; the detail view
--    lists them with links to the workflow histories.
create table catalog_update (
  id              bigint generated always as identity primary key,
  definition_id   text not null references workflow_definition (id) on delete cascade,
  tenant_id       text not null references tenant (id), -- the entry's owning tenant
  lifecycle       text not null check (lifecycle in ('publish', 'health-rollup', 'reindex')),
  workflow_id     text not null,
  run_id          text not null,
  reason          text,
  created_at      timestamptz not null default now(),
  -- an activity retried after it wrote its row must not add a second one
  unique (definition_id, workflow_id, run_id)
);
create index catalog_update_definition on catalog_update (definition_id, id desc);

-- 2. Health rollups cover a window of runs and remember when the last run finished.
alter table health_snapshot add column window_start timestamptz;
alter table health_snapshot add column last_run_at timestamptz;
alter table health_snapshot add column workflow_id text;
alter table health_snapshot add column run_id text;

-- 3. The Postgres full-text fallback and the reindex read the whole catalog by id or by
--    update time; at 100k entries these need indexes.
create index workflow_definition_updated on workflow_definition (updated_at desc, id);
create index workflow_definition_scope_status on workflow_definition (scope, status);
create index approval_definition_decided on approval (definition_id, decided_at desc);
