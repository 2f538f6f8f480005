-- Curating a partner-curated template's audience (issue 10) is a lifecycle of its own
-- (workflows/curate-template.ts) that changes the entry's search document: its
-- catalog_update rows name it, like a publish, a health rollup or a reindex.
alter table catalog_update drop constraint catalog_update_lifecycle_check;
alter table catalog_update add constraint catalog_update_lifecycle_check
  check (lifecycle in ('publish', 'health-rollup', 'reindex', 'curate'));

-- Who last changed the curated list, and by which lifecycle: the audience view shows it.
alter table workflow_template
  add column audience_workflow_id text,
  add column audience_run_id text,
  add column audience_updated_by text,
  add column audience_updated_at timestamptz;
