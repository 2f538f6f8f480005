-- Hardening after review.
-- 1. Adapters have an owning tenant (null = platform/built-in): only the owner's publishers
--    or a platform admin may change their status or add versions under their name.
alter table task_adapter add column owner_tenant text references tenant (id);

-- 2. Approvals belong to one run of a lifecycle: a re-requested publish reuses its workflow
--    id, and its decisions must not be mixed with (or swallowed by) the earlier attempt's.
alter table approval add column run_id text;
alter table approval drop constraint approval_workflow_id_approver_key;
create unique index approval_run_approver on approval (workflow_id, coalesce(run_id, ''), approver);
