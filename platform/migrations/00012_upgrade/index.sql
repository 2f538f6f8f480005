-- The upgrade lifecycle (issue 11).
--
-- 1. An instance's upgrade policy: pinned (never moves by itself), patch (same major.minor),
--    minor (same major). The first edition's names are mapped.
alter table workflow_instance drop constraint if exists workflow_instance_upgrade_policy_check;
update workflow_instance set upgrade_policy = case upgrade_policy when 'auto-patch' then 'patch' when 'auto-minor' then 'minor' else upgrade_policy end
  where upgrade_policy in ('auto-patch', 'auto-minor');
alter table workflow_instance add constraint workflow_instance_upgrade_policy_check check (upgrade_policy in ('pinned', 'patch', 'minor'));

-- 2. One row per upgrade lifecycle run (a manual retry after a terminal attempt reuses the
--    workflow id: the run id tells the attempts apart). It keeps what a rollback restores —
--    the version, digest and bindings the instance had before — and the read model of
--    GET /instances/{id}/upgrades. Secret bindings are names in the tenant's own store.
create table instance_upgrade (
  workflow_id              text not null,
  run_id                   text not null,
  tenant_id                text not null references tenant (id),
  instance_id              text not null references workflow_instance (id),
  definition_id            text not null references workflow_definition (id),
  from_version             text not null,
  to_version               text not null,
  from_digest              text not null,
  to_digest                text,
  previous_parameters      jsonb not null,
  previous_secret_bindings jsonb not null,
  next_parameters          jsonb,
  next_secret_bindings     jsonb,
  change_kind              text check (change_kind in ('breaking', 'non-breaking', 'patch')),
  reasons                  jsonb not null default '[]'::jsonb,
  status                   text not null check (status in ('planning', 'blocked', 'awaiting_approval', 'applying', 'smoke_testing',
                                                           'watching', 'rolling_back', 'upgraded', 'rolled_back', 'rejected', 'failed')),
  requested_by             text not null,
  campaign_id              text,
  plan                     jsonb,
  smoke_run_id             text,
  smoke_workflow_id        text,
  smoke_status             text,
  watch                    jsonb,
  rollback_reason          text,
  rollback_code            text,
  error                    jsonb,
  receipt_id               text,
  applied_at               timestamptz,
  rolled_back_at           timestamptz,
  created_at               timestamptz not null default now(),
  updated_at               timestamptz not null default now(),
  primary key (workflow_id, run_id)
);
create index instance_upgrade_instance on instance_upgrade (instance_id, created_at desc);
create index instance_upgrade_tenant on instance_upgrade (tenant_id, created_at desc);
create index instance_upgrade_campaign on instance_upgrade (campaign_id, status) where campaign_id is not null;
-- at most one upgrade of an instance in flight: a second one is refused by this index
create unique index instance_upgrade_in_flight on instance_upgrade (instance_id)
  where status not in ('blocked', 'upgraded', 'rolled_back', 'rejected', 'failed');
