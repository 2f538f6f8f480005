-- The review gate (issue 12): a version is offered beyond its tenant only after a passed
-- marketplace review. See docs/adr/0007-signing-and-receipts.md and workflows/review.ts.

-- 1. Versions published with a marketplace profile before reviews existed are demoted to
--    internal-only, keeping the profile they asked for: their publisher requests a review
--    (POST /definitions/{id}/versions/{version}/review-requests) to offer them again.
update workflow_version
   set requested_visibility = visibility, visibility = 'internal-only'
 where visibility <> 'internal-only' and review_state <> 'passed';

-- Their templates follow: a template is offered only while its latest version is reviewed.
update workflow_template t
   set visibility = 'internal-only', updated_at = now()
 where t.visibility <> 'internal-only'
   and not exists (select 1 from workflow_version v
                    where v.definition_id = t.definition_id and v.version = t.latest_version and v.review_state = 'passed');

-- 2. The gate itself: marketplace visibility without a passed review cannot be written.
alter table workflow_version add constraint workflow_version_marketplace_reviewed
  check (visibility = 'internal-only' or review_state = 'passed');

-- 3. What the review lifecycle records beyond 00014: the receipt of a request, why it ended,
--    and the teams of its author and requester (the own-team rule's input, kept for the queue).
alter table review_request
  add column receipt_id text,
  add column outcome_reason text,
  add column own_teams text[] not null default '{}';

create index review_request_tenant on review_request (tenant_id, created_at desc);
