-- Catalog schema, first edition: the entities of ARCHITECTURE §2.
-- Every tenant-owned table carries tenant_id. Compatible with PostgreSQL 15+.

create table tenant (
  id          text primary key check (id ~ '^[a-z][a-z0-9-]{1,39}$'),
  name        text not null,
  created_at  timestamptz not null default now()
);

create table workflow_definition (
  id            text primary key,
  tenant_id     text not null references tenant (id),
  name          text not null check (name ~ '^[a-z][a-z0-9-]{2,62}$'),
  title         text,
  description   text not null,
  category      text not null,
  risk          text not null check (risk in ('low', 'medium', 'high', 'critical')),
  scope         text not null check (scope in ('global', 'tenant-local')),
  owner         text,
  owner_team    text,
  status        text not null default 'draft'
                check (status in ('draft', 'in_review', 'published', 'deprecated', 'archived')),
  latest_version text,
  created_by    text not null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  search        tsvector generated always as (
                  setweight(to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(title, '')), 'A') ||
                  setweight(to_tsvector('english', description), 'B')) stored,
  unique (tenant_id, name),
  check (id = tenant_id || '.' || name)
);
create index workflow_definition_tenant_status on workflow_definition (tenant_id, status);
create index workflow_definition_search on workflow_definition using gin (search);

create table workflow_tag (
  definition_id text not null references workflow_definition (id) on delete cascade,
  tenant_id     text not null references tenant (id),
  tag           text not null check (tag ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
  primary key (definition_id, tag)
);
create index workflow_tag_tag on workflow_tag (tag);

create table workflow_version (
  definition_id    text not null references workflow_definition (id),
  tenant_id        text not null references tenant (id),
  version          text not null,
  status           text not null default 'draft'
                   check (status in ('draft', 'in_review', 'published', 'rejected')),
  spec             jsonb not null,
  parameter_schema jsonb,
  changelog        text,
  change_kind      text check (change_kind in ('initial', 'breaking', 'non-breaking')),
  digest           text not null check (digest ~ '^sha256:[0-9a-f]{64}$'),
  signature_bundle jsonb,
  created_by       text not null,
  created_at       timestamptz not null default now(),
  published_at     timestamptz,
  published_by_workflow_id text,
  published_by_run_id      text,
  primary key (definition_id, version),
  check ((status = 'published') = (published_at is not null))
);
create index workflow_version_tenant on workflow_version (tenant_id, status);

-- A published version is immutable: its content and digest can never change again.
create function workflow_version_immutable() returns trigger language plpgsql as $$
begin
  if old.status = 'published' and (
       new.spec is distinct from old.spec or new.digest is distinct from old.digest or
       new.version is distinct from old.version or new.status is distinct from old.status) then
    raise exception 'workflow_version %@% is published and immutable', old.definition_id, old.version
      using errcode = 'check_violation';
  end if;
  return new;
end $$;
create trigger workflow_version_immutable before update on workflow_version
  for each row execute function workflow_version_immutable();

create table workflow_template (
  id                   text primary key,
  definition_id        text not null unique references workflow_definition (id),
  tenant_id            text not null references tenant (id),
  visibility           text not null default 'internal-only'
                       check (visibility in ('internal-only', 'partner-curated', 'public-ecosystem')),
  publisher            text not null,
  review_state         text not null default 'none' check (review_state in ('none', 'in_review', 'approved', 'rejected')),
  certification_state  text not null default 'none' check (certification_state in ('none', 'certified', 'stale', 'revoked')),
  certified_at         timestamptz,
  last_reviewed_at     timestamptz,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);

create table workflow_instance (
  id              text primary key,
  tenant_id       text not null references tenant (id),
  template_id     text not null references workflow_template (id),
  pinned_version  text not null,
  upgrade_policy  text not null default 'pinned' check (upgrade_policy in ('pinned', 'auto-patch', 'auto-minor')),
  parameters      jsonb not null default '{}'::jsonb, -- secret *references* only (secret://tenant/name)
  environment     text not null default 'production',
  region          text,
  quotas          jsonb not null default '{}'::jsonb,
  status          text not null default 'installing' check (status in ('installing', 'active', 'upgrading', 'failed', 'removed')),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (tenant_id, template_id, environment)
);

create table task_adapter (
  name         text not null check (name ~ '^[a-z][a-z0-9.-]*$'),
  version      text not null,
  manifest     jsonb not null,
  manifest_digest text not null,
  status       text not null default 'active' check (status in ('active', 'deprecated', 'retired')),
  replacement  text,
  task_queue   text not null,
  created_at   timestamptz not null default now(),
  primary key (name, version)
);

-- One row per publish lifecycle: the read model behind "pending approvals".
create table publish_request (
  workflow_id       text primary key,
  run_id            text not null,
  tenant_id         text not null references tenant (id),
  definition_id     text not null references workflow_definition (id),
  version           text not null,
  requested_by      text not null,
  requested_by_name text,
  status            text not null check (status in ('validating', 'deciding', 'awaiting_approval', 'publishing',
                                                     'published', 'rejected', 'denied', 'invalid')),
  decision          jsonb,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  foreign key (definition_id, version) references workflow_version (definition_id, version)
);
create index publish_request_pending on publish_request (status, tenant_id) where status = 'awaiting_approval';

create table approval (
  id              bigint generated always as identity primary key,
  tenant_id       text not null references tenant (id),
  workflow_id     text not null,
  subject_kind    text not null check (subject_kind in ('publish', 'install', 'upgrade', 'run')),
  definition_id   text references workflow_definition (id),
  version         text,
  approver        text not null,
  approver_tenant text not null,
  decision        text not null check (decision in ('approve', 'reject')),
  rationale       text not null check (length(btrim(rationale)) > 0),
  decided_at      timestamptz not null,
  unique (workflow_id, approver)
);
create index approval_subject on approval (definition_id, version);

create table review (
  id            bigint generated always as identity primary key,
  tenant_id     text not null references tenant (id),
  definition_id text not null references workflow_definition (id),
  version       text not null,
  kind          text not null check (kind in ('security', 'performance', 'docs')),
  status        text not null default 'open' check (status in ('open', 'passed', 'failed', 'escalated')),
  reviewer      text,
  rationale     text,
  evidence      jsonb not null default '{}'::jsonb,
  workflow_id   text,
  created_at    timestamptz not null default now(),
  decided_at    timestamptz,
  unique (definition_id, version, kind)
);

create table provenance_receipt (
  id             text primary key,
  tenant_id      text not null references tenant (id),
  lifecycle      text not null,
  workflow_id    text not null,
  run_id         text not null,
  subject        text not null,
  subject_digest text,
  decisions      jsonb not null default '[]'::jsonb,
  history_digest text,
  bundle         jsonb,
  created_at     timestamptz not null default now(),
  unique (workflow_id, run_id, lifecycle)
);
create index provenance_receipt_subject on provenance_receipt (subject);

create table secret (
  tenant_id   text not null references tenant (id),
  name        text not null check (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
  ciphertext  bytea not null,
  key_id      text not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, name)
);

create table run (
  id             text primary key,
  tenant_id      text not null references tenant (id),
  definition_id  text not null references workflow_definition (id),
  version        text not null,
  instance_id    text references workflow_instance (id),
  status         text not null check (status in ('running', 'completed', 'failed', 'cancelled', 'timed_out')),
  started_at     timestamptz not null,
  finished_at    timestamptz,
  duration_ms    integer,
  error_code     text
);
create index run_definition_started on run (definition_id, started_at desc);

create table health_snapshot (
  definition_id   text not null references workflow_definition (id),
  tenant_id       text not null references tenant (id),
  window_end      timestamptz not null,
  last_status     text,
  run_count       integer not null default 0,
  failure_rate    numeric(5, 4),
  avg_duration_ms integer,
  primary key (definition_id, window_end)
);
