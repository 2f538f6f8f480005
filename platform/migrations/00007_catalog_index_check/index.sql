-- Catalog index checks (issue 9): what each comparison of Postgres with the search
-- collection found, and the reindex it started to repair a drift. GET /api/health shows the
-- newest row of the catalog's alias as the index lag.
create table catalog_index_check (
  id                 bigserial primary key,
  alias              text not null,
  workflow_id        text not null,
  run_id             text not null,
  -- 'check': the comparison; 'after-repair': the comparison once the reindex it started is done
  kind               text not null check (kind in ('check', 'after-repair')),
  checked_at         timestamptz not null default now(),
  postgres_count     integer not null,
  typesense_count    integer not null,
  missing            integer not null,
  altered            integer not null,
  extra              integer not null,
  sample             jsonb not null default '{}',
  repair_workflow_id text,
  repair_run_id      text,
  unique (workflow_id, run_id, kind)
);
create index catalog_index_check_alias on catalog_index_check (alias, id desc);
