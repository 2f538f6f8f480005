-- Upgrade campaigns (issue 11): one campaign lifecycle per published non-breaking version
-- fans out the upgrade lifecycle to every instance whose policy allows the version, in
-- waves. upgrade_campaign is the read model the publisher sees (counts only);
-- upgrade_campaign_instance is the campaign's own work list — which instance belongs to
-- which wave and how its upgrade ended — so that the lifecycle pages through 1,000s of
-- instances with a bounded history and a failed wave can be rolled back by its rows.
create table upgrade_campaign (
  workflow_id    text primary key,
  run_id         text not null,
  -- the publisher's tenant (the template's owner): the only tenant that reads the campaign
  tenant_id      text not null references tenant (id),
  definition_id  text not null references workflow_definition (id),
  to_version     text not null,
  change_kind    text not null check (change_kind in ('breaking', 'non-breaking', 'patch')),
  status         text not null check (status in ('selecting', 'running', 'rolling_back', 'completed', 'halted', 'nothing_to_do')),
  requested_by   text not null,
  eligible       integer not null default 0 check (eligible >= 0),
  waves          jsonb not null default '[]'::jsonb,
  error          jsonb,
  started_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  ended_at       timestamptz,
  unique (definition_id, to_version),
  foreign key (definition_id, to_version) references workflow_version (definition_id, version)
);
create index upgrade_campaign_tenant on upgrade_campaign (tenant_id, definition_id, started_at desc);

create table upgrade_campaign_instance (
  campaign_id   text not null references upgrade_campaign (workflow_id) on delete cascade,
  instance_id   text not null references workflow_instance (id),
  tenant_id     text not null references tenant (id),
  wave          integer not null check (wave >= 0),
  -- order within the campaign (0-based): pages are read by (wave, position)
  position      integer not null check (position >= 0),
  from_version  text not null,
  status        text not null default 'pending'
                check (status in ('pending', 'upgraded', 'rolled_back', 'failed', 'skipped', 'reverted', 'not_started')),
  code          text,
  updated_at    timestamptz not null default now(),
  primary key (campaign_id, instance_id),
  unique (campaign_id, position)
);
create index upgrade_campaign_instance_wave on upgrade_campaign_instance (campaign_id, wave, position);
