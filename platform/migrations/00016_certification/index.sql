-- Certification lifecycle and install trust settings (issue 12, H3). See docs/certification.md.

-- 1. A recertification runs its checklist while the version's current certification still
--    holds: one certification being checked and one current (certified or overdue) may
--    coexist per version. The new one supersedes the old in one transaction when it certifies.
drop index certification_live;
create unique index certification_current on certification (definition_id, version) where status in ('certified', 'overdue');
create unique index certification_checking on certification (definition_id, version) where status = 'checking';

-- 2. What the certifier said and what the platform signed: the certifier's rationale, the
--    policy decision (certify.rego), the signed certification statement, the receipt, and
--    the certification that superseded this one.
alter table certification
  add column rationale         text check (char_length(rationale) <= 4000),
  add column decision          jsonb,
  add column statement_bundle  jsonb,
  add column statement_key_id  text references signing_key (id),
  add column receipt_id        text,
  add column superseded_by     text,
  add column overdue_at        timestamptz,
  add constraint certification_certified_has_dates
    check (status not in ('certified', 'overdue') or (certified_at is not null and expires_at is not null));

-- 3. The catalog's mirror follows the template's latest version: a new latest version does
--    not inherit the certification of the one before it (a patch carries it over only
--    through its own certify lifecycle, by policy).
create function template_certification_follows_latest() returns trigger language plpgsql as $$
declare
  current record;
begin
  if new.latest_version is distinct from old.latest_version then
    select case x.status when 'certified' then 'certified' else 'stale' end as state, x.certified_at into current
    from certification x
    where x.definition_id = new.definition_id and x.version = new.latest_version and x.status in ('certified', 'overdue')
    limit 1;
    new.certification_state := coalesce(current.state, 'none');
    new.certified_at := current.certified_at;
  end if;
  return new;
end $$;
create trigger template_certification_follows_latest before update of latest_version on workflow_template
  for each row execute function template_certification_follows_latest();

-- 4. Whether a tenant's installs of other tenants' templates require a certification:
--    'off', 'elevated-risk' (high and critical risk templates) or 'always'
--    (policies/install.rego decides; an overdue certification still counts, with a warning).
alter table tenant_setting
  add column require_certification text not null default 'off'
    check (require_certification in ('off', 'elevated-risk', 'always'));

-- 5. What an install was warned of (an overdue certification), shown with the install.
alter table install_request add column warnings text[] not null default '{}';
