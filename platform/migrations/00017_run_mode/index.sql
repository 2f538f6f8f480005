-- A run is live or a dry run (bindings and inputs checked, side effects skipped): the
-- marketplace review's performance runs and a tenant's dry runs are not usage, so the
-- health rollup, certification's failure budget, template usage and an upgrade's watch
-- count live runs only.
alter table run add column mode text not null default 'live' check (mode in ('live', 'dry-run'));
create index run_definition_live_started on run (definition_id, started_at desc) where mode = 'live';
