# METADATA
# title: Review policy
# description: |
#   The marketplace review (workflows/review.ts): which reviewers may decide which kind of
#   review, how many approvals a kind needs for a version's risk, the escalation group, and
#   the performance budget. Two entrypoints: `rules` (what a review of a version needs,
#   recorded when the review opens) and `decision` (may this reviewer decide this review),
#   both evaluated inside activities so every answer is in the lifecycle's history.
package review

kinds := {"security", "performance", "docs"}

# The teams whose platform reviewers review each kind.
kind_teams := {
	"security": {"security"},
	"performance": {"sre", "platform"},
	"docs": {"docs", "platform"},
}

# Whether a reviewer of the author's (or requester's) own team may review the kind: only
# documentation, where knowing the team's conventions helps and the risk is small.
own_team_allowed := {"security": false, "performance": false, "docs": true}

# After REVIEW_ESCALATE_AFTER the escalation group may decide too.
escalation := {"group": "platform-admin", "roles": ["platform-admin"]}

default quorum(_, _) := 1

# METADATA
# description: A critical version needs two security reviewers.
quorum("security", "critical") := 2

performance_budget := {"p95_ms": 60000, "max_failure_rate": 0}

# METADATA
# description: What a review of a version at input.risk needs; the entrypoint `review/rules`.
# entrypoint: true
rules := {
	"kinds": {k: {
		"teams": sort([t | some t in kind_teams[k]]),
		"quorum": quorum(k, input.risk),
		"own_team_allowed": own_team_allowed[k],
	} |
		some k in kinds
	},
	"escalation": escalation,
	"performance_budget": performance_budget,
}

reviewer := input.reviewer

# A reviewer of the escalation group, once the review is escalated.
escalation_reviewer if {
	input.escalated
	some r in reviewer.roles
	r in escalation.roles
}

primary_reviewer if {
	"platform-reviewer" in reviewer.roles
	reviewer.team in kind_teams[input.kind]
}

# METADATA
# description: Why the reviewer may not decide, each reason with its stable code.
deny contains {"code": "NOT_ELIGIBLE_REVIEWER", "message": msg} if {
	not input.kind in kinds
	msg := sprintf("unknown review kind \"%s\"", [input.kind])
}

deny contains {"code": "SELF_REVIEW", "message": "the author of a version cannot review it"} if {
	reviewer.sub == input.author
}

deny contains {"code": "SELF_REVIEW", "message": "whoever requested the review cannot decide it"} if {
	reviewer.sub == input.requester
}

deny contains {"code": "NOT_ELIGIBLE_REVIEWER", "message": msg} if {
	input.kind in kinds
	not primary_reviewer
	not escalation_reviewer
	msg := sprintf("a %s review is decided by platform reviewers of the teams [%s]%s", [
		input.kind,
		concat(", ", sort([t | some t in kind_teams[input.kind]])),
		escalation_note,
	])
}

escalation_note := sprintf(", or once escalated by the %s group", [escalation.group]) if not input.escalated

escalation_note := sprintf(" or the %s group", [escalation.group]) if input.escalated

deny contains {"code": "NOT_ELIGIBLE_REVIEWER", "message": msg} if {
	input.kind in kinds
	primary_reviewer
	not escalation_reviewer
	not own_team_allowed[input.kind]
	reviewer.team in {t | some t in input.own_teams}
	msg := sprintf("a reviewer of the author's own team (%s) may not decide a %s review", [reviewer.team, input.kind])
}

# METADATA
# description: The reviewer's group when allowed.
default group := "none"

group := "primary" if {
	primary_reviewer
} else := "escalation" if {
	escalation_reviewer
}

# METADATA
# description: May input.reviewer decide this review; the entrypoint `review/decision`.
# entrypoint: true
decision := {
	"allow": count(deny) == 0,
	"deny": sort([d | some d in deny]),
	"group": group,
}
