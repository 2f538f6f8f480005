-- The team of the version's author, from the author's token when the draft was stored: the
-- review's own-team rule (policies/review.rego) applies to it, not only to the requester's
-- team. Versions stored before it fall back to the definition's owner team.
alter table workflow_version add column created_by_team text;
