-- Change classification at publish (issue 11): a published version records what it changes
-- against the latest published version below it — computed, never declared — and why.
-- 'initial' stays for a definition's first published version; 'patch' is new.
alter table workflow_version drop constraint workflow_version_change_kind_check;
alter table workflow_version add constraint workflow_version_change_kind_check
  check (change_kind in ('initial', 'breaking', 'non-breaking', 'patch'));

alter table workflow_version
  -- [{ rule, kind, pointer, message }], as domain/change-kind.ts classifyChange lists them
  add column change_reasons jsonb check (change_reasons is null or jsonb_typeof(change_reasons) = 'array'),
  -- the version compared against (null for 'initial')
  add column change_from text;
