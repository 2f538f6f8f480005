-- Policy profiles and guardrails (policies/guardrails.rego): the tenant settings the
-- local_workflow and marketplace_workflow rules read, and the guardrail decision of each
-- lifecycle (its outcome, its rules and the overrides given) on the lifecycle's read model.

-- 1. The tenant's home region (the region personal data stays in when an install names
--    none) and the region of each endpoint host pattern it binds.
alter table tenant_setting
  add column region text check (region is null or region ~ '^[a-z][a-z0-9-]{0,39}$'),
  add column endpoint_regions jsonb not null default '{}'::jsonb
    check (jsonb_typeof(endpoint_regions) = 'object' and pg_column_size(endpoint_regions) < 16384);

-- 2. The cap on the risk of workflows installed from other tenants (null: no cap).
alter table tenant_setting
  add column max_external_risk text check (max_external_risk is null or max_external_risk in ('low', 'medium', 'high', 'critical'));

-- 3. Critical runs: a daily quota (null: none) and business hours
--    ({ days: [Mon..Sun], start_hour, end_hour, timezone }; null: any time).
alter table tenant_setting
  add column critical_runs_per_day integer check (critical_runs_per_day is null or critical_runs_per_day between 0 and 100000),
  add column business_hours jsonb check (business_hours is null or jsonb_typeof(business_hours) = 'object');

-- 4. The guardrail decision of each lifecycle, as its read model shows it: outcome
--    (allow / hold / deny), the decision itself and the overrides given while it was held.
alter table publish_request add column guardrails jsonb;
alter table install_request add column guardrails jsonb;
alter table instance_upgrade add column guardrails jsonb;
alter table run add column guardrails jsonb;

-- 5. A publish held by a soft-mandatory guardrail waits for an override.
alter table publish_request drop constraint publish_request_status_check;
alter table publish_request add constraint publish_request_status_check
  check (status in ('validating', 'deciding', 'awaiting_override', 'awaiting_approval', 'publishing',
                    'published', 'rejected', 'denied', 'invalid'));
-- 6. An install or upgrade held by a soft-mandatory guardrail waits for an override:
--    awaiting_override (the read model names the rules and the roles that may override).
alter table install_request drop constraint install_request_status_check;
alter table install_request add constraint install_request_status_check
  check (status in ('checking', 'awaiting_override', 'awaiting_approval', 'installing', 'installed',
                    'denied', 'invalid', 'rejected', 'failed', 'uninstalling', 'uninstalled'));
alter table instance_upgrade drop constraint instance_upgrade_status_check;
alter table instance_upgrade add constraint instance_upgrade_status_check
  check (status in ('planning', 'blocked', 'awaiting_override', 'awaiting_approval', 'applying', 'smoke_testing',
                    'watching', 'rolling_back', 'upgraded', 'rolled_back', 'rejected', 'failed'));
