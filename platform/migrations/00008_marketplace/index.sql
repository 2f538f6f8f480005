-- The marketplace (issue 10): visibility profiles decided per published version, templates
-- with their installer-facing facts and curated audience, instances that a tenant runs, and
-- the install lifecycle's read model. See docs/adr/0005-access-model.md.

-- 1. Each published version carries the visibility its publish decided. Before this issue
--    a version was shared with every tenant when its own spec was global.
alter table workflow_version add column visibility text not null default 'internal-only'
  check (visibility in ('internal-only', 'partner-curated', 'public-ecosystem'));
update workflow_version set visibility = 'public-ecosystem'
where status = 'published' and spec->'metadata'->>'scope' = 'global';

-- 2. Templates: one per definition (id = definition id), written by the publish lifecycle.
alter table workflow_template
  add column latest_version text,
  add column summary text,
  add column environments text[] not null default '{dev,staging,prod}'
    check (environments <@ array['dev', 'staging', 'prod']::text[] and cardinality(environments) > 0),
  add column regions text[] not null default '{}',
  add column bindings jsonb not null default '{}'::jsonb,
  add column publish_workflow_id text,
  add column publish_run_id text;
-- (catalogs seeded by an earlier scripts/seed-catalog.ts named templates `tpl_<definition>`)
update workflow_template set id = definition_id where id <> definition_id;
alter table workflow_template add constraint workflow_template_id_is_definition check (id = definition_id);

insert into workflow_template (id, definition_id, tenant_id, visibility, publisher, latest_version, summary,
                               publish_workflow_id, publish_run_id)
select d.id, d.id, d.tenant_id, v.visibility, coalesce(d.owner, d.created_by), v.version, d.description,
       v.published_by_workflow_id, v.published_by_run_id
from workflow_definition d
join lateral (
  select version, visibility, published_by_workflow_id, published_by_run_id from workflow_version pv
  where pv.definition_id = d.id and pv.status = 'published'
  order by pv.published_at desc limit 1) v on true
on conflict (id) do nothing;

-- The offer a Request Publish made (summary, environments, regions), kept until it publishes.
alter table publish_request add column offer jsonb;

-- 3. The curated list of a partner-curated template, kept by the platform curator.
create table template_audience (
  template_id text not null references workflow_template (id) on delete cascade,
  tenant_id   text not null references tenant (id),
  added_by    text not null,
  added_at    timestamptz not null default now(),
  primary key (template_id, tenant_id)
);
create index template_audience_tenant on template_audience (tenant_id);

-- 4. Instances: never used before this issue, so the first edition's table is replaced.
alter table run drop constraint if exists run_instance_id_fkey;
drop table workflow_instance;
create table workflow_instance (
  id               text primary key check (id ~ '^[a-z0-9][a-z0-9.-]{2,199}$'),
  tenant_id        text not null references tenant (id),
  template_id      text not null references workflow_template (id),
  definition_id    text not null references workflow_definition (id),
  version          text not null,
  digest           text not null check (digest ~ '^sha256:[0-9a-f]{64}$'),
  environment      text not null check (environment in ('dev', 'staging', 'prod')),
  region           text,
  -- bindings: parameter values, endpoints (parameter values checked against the egress
  -- allow-list), and secret *names* of this tenant per secret the spec declares
  parameters       jsonb not null default '{}'::jsonb,
  secret_bindings  jsonb not null default '{}'::jsonb,
  policies         jsonb not null default '{}'::jsonb,
  quotas           jsonb not null default '{}'::jsonb,
  upgrade_policy   text not null default 'pinned' check (upgrade_policy in ('pinned', 'auto-patch', 'auto-minor')),
  status           text not null default 'active'
                   check (status in ('active', 'disabled', 'uninstalling', 'uninstalled')),
  installed_by     text not null,
  install_workflow_id text not null,
  install_run_id   text not null,
  uninstall_workflow_id text,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  foreign key (definition_id, version) references workflow_version (definition_id, version)
);
-- one live instance per tenant, template and environment
create unique index workflow_instance_live on workflow_instance (tenant_id, template_id, environment)
  where status <> 'uninstalled';
create index workflow_instance_template on workflow_instance (template_id, version);
alter table run add constraint run_instance_id_fkey foreign key (instance_id) references workflow_instance (id);
create index run_instance_started on run (instance_id, started_at desc) where instance_id is not null;

-- 5. One row per install / uninstall lifecycle: the read model of the Instances page.
create table install_request (
  workflow_id   text primary key,
  run_id        text not null,
  kind          text not null default 'install' check (kind in ('install', 'uninstall')),
  tenant_id     text not null references tenant (id),
  template_id   text not null references workflow_template (id),
  version       text not null,
  environment   text not null,
  instance_id   text not null,
  requested_by  text not null,
  status        text not null check (status in ('checking', 'awaiting_approval', 'installing', 'installed',
                                                 'denied', 'invalid', 'rejected', 'failed',
                                                 'uninstalling', 'uninstalled')),
  decision      jsonb,
  error         jsonb,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
create index install_request_tenant on install_request (tenant_id, created_at desc);

-- 6. Secret metadata: names and who/when, for the Switchboard (values stay write-only).
alter table secret
  add column description text check (description is null or length(description) <= 500),
  add column created_by text,
  add column updated_by text,
  add column rotated_at timestamptz;

-- 7. Ports an endpoint binding may use, beside the host allow-list: '443', '8000-8999', '*'.
create function egress_ports_valid(ports text[]) returns boolean
  language sql immutable as $$
    select coalesce(bool_and(p ~ '^(\*|[0-9]{1,5}(-[0-9]{1,5})?)$'), true) from unnest(ports) as p
  $$;
alter table tenant_setting add column egress_ports text[] not null default '{443}' check (egress_ports_valid(egress_ports));
