-- Per-tenant settings, first: the egress allow-list that every outbound call of an adapter
-- must also pass (policies/egress.rego: a host must be allowed by the adapter's manifest
-- AND by its tenant). Patterns: an exact host name or IP, `*.suffix`, or `*` (anything).

create function egress_patterns_valid(patterns text[]) returns boolean
  language sql immutable as $$
    select coalesce(bool_and(p ~ '^(\*|(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|[0-9a-f:.]+)$'), true)
    from unnest(patterns) as p
  $$;

create table tenant_setting (
  tenant_id     text primary key references tenant (id),
  egress_allow  text[] not null default '{}' check (egress_patterns_valid(egress_allow)),
  updated_at    timestamptz not null default now()
);
