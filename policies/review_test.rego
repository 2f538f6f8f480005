package review_test

import data.review

sam := {"sub": "sam", "tenant": "acme", "roles": ["platform-reviewer"], "team": "security"}

perry := {"sub": "perry", "tenant": "acme", "roles": ["platform-reviewer"], "team": "sre"}

dora := {"sub": "dora", "tenant": "acme", "roles": ["platform-reviewer"], "team": "docs"}

pia := {"sub": "pia", "tenant": "acme", "roles": ["platform-reviewer"], "team": "platform"}

root := {"sub": "root", "tenant": "acme", "roles": ["platform-admin"], "team": "platform"}

bob := {"sub": "bob", "tenant": "acme", "roles": ["reviewer"], "team": "platform"}

ask(reviewer, kind) := {
	"kind": kind,
	"reviewer": reviewer,
	"author": "pat",
	"requester": "pat",
	"own_teams": ["platform"],
	"escalated": false,
}

codes(d) := {c.code | some c in d.deny}

test_each_kind_has_its_team if {
	review.decision.allow with input as ask(sam, "security")
	review.decision.allow with input as ask(perry, "performance")
	review.decision.allow with input as ask(dora, "docs")
	not review.decision.allow with input as ask(sam, "docs")
	not review.decision.allow with input as ask(dora, "security")
}

test_a_tenant_reviewer_is_not_a_platform_reviewer if {
	d := review.decision with input as ask(bob, "docs")
	not d.allow
	codes(d) == {"NOT_ELIGIBLE_REVIEWER"}
}

test_self_review_is_refused if {
	d := review.decision with input as object.union(ask(sam, "security"), {"author": "sam"})
	codes(d) == {"SELF_REVIEW"}
	r := review.decision with input as object.union(ask(sam, "security"), {"requester": "sam"})
	codes(r) == {"SELF_REVIEW"}
}

test_own_team_only_for_docs if {
	# pia shares pat's team: docs yes, performance no
	review.decision.allow with input as ask(pia, "docs")
	d := review.decision with input as ask(pia, "performance")
	not d.allow
	d.deny[0].message == "a reviewer of the author's own team (platform) may not decide a performance review"
	s := review.decision with input as object.union(ask(sam, "security"), {"own_teams": ["security"]})
	codes(s) == {"NOT_ELIGIBLE_REVIEWER"}
}

test_escalation_group_only_once_escalated if {
	not review.decision.allow with input as ask(root, "security")
	d := review.decision with input as object.union(ask(root, "security"), {"escalated": true})
	d.allow
	d.group == "escalation"
	review.decision.group == "primary" with input as ask(sam, "security")
}

test_quorum_per_risk if {
	r := review.rules with input as {"risk": "critical"}
	r.kinds.security.quorum == 2
	r.kinds.performance.quorum == 1
	l := review.rules with input as {"risk": "high"}
	l.kinds.security.quorum == 1
	r.kinds.docs.own_team_allowed
	not r.kinds.security.own_team_allowed
	r.escalation.group == "platform-admin"
}

test_unknown_kind_refused if {
	not review.decision.allow with input as ask(sam, "legal")
}
