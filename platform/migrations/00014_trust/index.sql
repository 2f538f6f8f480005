-- Review, certification and signed provenance (issue 12). See docs/adr/0007-signing-and-receipts.md.

-- 1. Signing keys: one active key per owner (the platform, or a publishing tenant), generated
--    on first use. The private key (PKCS#8 DER) is envelope-encrypted like a tenant secret:
--    a random data key (AES-256-GCM) wrapped by the SECRETS_KEY master key (`wrap_key_id`),
--    both layers binding `signing-key/<id>` as additional data. A rotation retires the active
--    key (it keeps verifying old signatures: its public half stays published) and makes a new one.
create table signing_key (
  id           text primary key check (id ~ '^[a-z0-9][a-z0-9._-]{2,127}$'),
  owner_kind   text not null check (owner_kind in ('platform', 'publisher')),
  owner_id     text not null,
  algorithm    text not null default 'ecdsa-p256-sha256' check (algorithm = 'ecdsa-p256-sha256'),
  public_key   text not null,
  private_key  bytea not null,
  data_key     bytea not null,
  wrap_key_id  text not null,
  status       text not null check (status in ('active', 'retired')),
  created_at   timestamptz not null default now(),
  retired_at   timestamptz,
  check ((status = 'retired') = (retired_at is not null))
);
create unique index signing_key_active on signing_key (owner_kind, owner_id) where status = 'active';

-- 2. A tenant's trust roots: the publishers whose keys its installs accept, beside the
--    platform key (null = every publisher the platform registered a key for).
alter table tenant_setting add column trusted_publishers text[];

-- 3. Versions: the signature of the published content, and the review gate. A version is
--    offered beyond its tenant only after a passed review: a publish that asks for a
--    marketplace profile publishes internal-only with `requested_visibility`, and the review
--    lifecycle raises `visibility` when it passes.
alter table workflow_version
  add column signature_key_id text references signing_key (id),
  add column requested_visibility text check (requested_visibility in ('partner-curated', 'public-ecosystem')),
  add column review_state text not null default 'none'
    check (review_state in ('none', 'pending', 'passed', 'failed', 'expired')),
  add column review_workflow_id text,
  add column reviewed_at timestamptz;
-- (The check that makes marketplace visibility impossible without a passed review, and the
--  demotion of marketplace versions published before reviews existed, come with the review
--  gate in 00015.)

-- A published version's content, digest and signature never change again.
create or replace function workflow_version_immutable() returns trigger language plpgsql as $$
begin
  if old.status = 'published' and (
       new.spec is distinct from old.spec or new.digest is distinct from old.digest or
       new.version is distinct from old.version or new.status is distinct from old.status or
       (old.signature_bundle is not null and new.signature_bundle is distinct from old.signature_bundle)) then
    raise exception 'workflow_version %@% is published and immutable', old.definition_id, old.version
      using errcode = 'check_violation';
  end if;
  return new;
end $$;

-- 4. Reviews: one review lifecycle per version and request (review_request), with one child
--    per kind (review). The first edition's review table was never written.
drop table review;
create table review_request (
  workflow_id          text primary key,
  run_id               text not null,
  tenant_id            text not null references tenant (id),
  definition_id        text not null references workflow_definition (id),
  version              text not null,
  requested_visibility text not null check (requested_visibility in ('partner-curated', 'public-ecosystem')),
  risk                 text not null,
  status               text not null check (status in ('gathering', 'in_review', 'passed', 'failed', 'expired')),
  requested_by         text not null,
  evidence_bundle      jsonb,
  evidence_digest      text check (evidence_digest ~ '^sha256:[0-9a-f]{64}$'),
  evidence_signature   jsonb,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  ended_at             timestamptz,
  foreign key (definition_id, version) references workflow_version (definition_id, version)
);
create unique index review_request_open on review_request (definition_id, version) where status in ('gathering', 'in_review');
create index review_request_version on review_request (definition_id, version, created_at desc);

create table review (
  workflow_id     text primary key,
  request_id      text not null references review_request (workflow_id) on delete cascade,
  run_id          text,
  kind            text not null check (kind in ('security', 'performance', 'docs')),
  status          text not null check (status in ('gathering', 'open', 'escalated', 'passed', 'failed', 'expired')),
  quorum          integer not null default 1 check (quorum between 1 and 5),
  reviewer_group  text not null default 'primary' check (reviewer_group in ('primary', 'escalation')),
  evidence        jsonb not null default '[]'::jsonb,
  evidence_digest text,
  decisions       jsonb not null default '[]'::jsonb,
  deadline_at     timestamptz,
  escalated_at    timestamptz,
  decided_at      timestamptz,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (request_id, kind)
);
create index review_queue on review (kind, status, created_at);

-- 5. Certification, per version: the certifier's checklist outcome and its expiry. The
--    template's certification_state / certified_at / last_reviewed_at mirror its latest
--    version for the catalog; 'stale' there is "review overdue".
create table certification (
  workflow_id    text primary key,
  run_id         text not null,
  tenant_id      text not null references tenant (id),
  definition_id  text not null references workflow_definition (id),
  version        text not null,
  status         text not null check (status in ('checking', 'certified', 'refused', 'overdue', 'superseded', 'revoked')),
  certified_by   text,
  checklist      jsonb not null default '[]'::jsonb,
  -- the version whose certification this one carried over (a patch, by policy)
  carried_from   text,
  certified_at   timestamptz,
  expires_at     timestamptz,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  foreign key (definition_id, version) references workflow_version (definition_id, version)
);
create index certification_version on certification (definition_id, version, created_at desc);
create unique index certification_live on certification (definition_id, version) where status in ('checking', 'certified', 'overdue');

-- 6. Receipts: signed, with the digest of the lifecycle's history up to the receipt.
alter table provenance_receipt
  add column history_last_event bigint,
  add column key_id text references signing_key (id),
  add column body jsonb;
alter table provenance_receipt drop constraint if exists provenance_receipt_lifecycle_check;
create index provenance_receipt_tenant on provenance_receipt (tenant_id, created_at desc);
