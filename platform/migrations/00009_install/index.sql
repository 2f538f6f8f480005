-- The install lifecycle (issue 10): an instance is reserved while its install waits for its
-- checks and approvals, so a second install of the same template into the same environment
-- is refused by the live unique index at once, not after the first one's approval. A
-- reserved instance does not run; compensation deletes it.
alter table workflow_instance drop constraint workflow_instance_status_check;
alter table workflow_instance add constraint workflow_instance_status_check
  check (status in ('installing', 'active', 'disabled', 'uninstalling', 'uninstalled'));

-- Quota checks count an instance's running runs and its runs of the day under the
-- instance's row lock: both must stay cheap at any run history size.
create index run_instance_running on run (instance_id) where status = 'running' and instance_id is not null;

-- The Instances page lists a tenant's live instances.
create index workflow_instance_tenant on workflow_instance (tenant_id, created_at desc);
