# METADATA
# title: Certification policy
# description: |
#   Decides the outcome of a certification from its checklist (docs/certification.md; the
#   items are evaluated by the certify lifecycle's activities, activities/certify.ts) and
#   whether a patch version carries over the certification of the version it patches.
#   Returns reasons, never a bare boolean. Evaluated as wasm inside the certify lifecycle's
#   policy activity, so the decision is in its history.
#
#   Full certification: every checklist item passes. Carry-over: a patch version (same
#   major.minor, higher patch, no pre-release) of a version whose certification is current
#   and not expired, whose change is classified patch (docs only, a task's patch release,
#   risk lowered), of no higher risk, and that itself passes the items in carry_items (its
#   own review, signature and evidence); the rest it inherits.
package certify

risk_rank := {"low": 0, "medium": 1, "high": 2, "critical": 3}

# METADATA
# description: The earlier version's current certification (null when there is none).
previous := object.get(input, "previous", null)

# METADATA
# description: The checklist items a carried-over certification must still pass itself.
carry_items := {"review-passed", "signature-verifies", "evidence-verifies", "no-critical-warnings", "certifier-independent"}

failed contains item.id if {
	some item in input.checklist
	not item.ok
}

deny contains "only a platform certifier may certify" if {
	not "platform-certifier" in input.actor.roles
}

deny contains "the checklist is empty" if {
	count(input.checklist) == 0
}

full if {
	count(deny) == 0
	count(failed) == 0
}

# METADATA
# description: Why a patch may not carry over the previous certification (empty when it may).
carry_refusals contains "no earlier version of this definition holds a current certification" if {
	not is_object(previous)
}

carry_refusals contains msg if {
	is_object(previous)
	previous.status != "certified"
	msg := sprintf("the certification of %s is %s, not current", [previous.version, previous.status])
}

carry_refusals contains msg if {
	previous.expired
	msg := sprintf("the certification of %s has expired", [previous.version])
}

carry_refusals contains msg if {
	is_object(previous)
	not previous.patch_of
	msg := sprintf("%s is not a patch of %s", [input.version.version, previous.version])
}

carry_refusals contains msg if {
	is_object(previous)
	input.version.change_kind != "patch"
	msg := sprintf("%s is classified %s, not patch", [input.version.version, input.version.change_kind])
}

carry_refusals contains msg if {
	is_object(previous)
	risk_rank[input.version.risk] > risk_rank[previous.risk]
	msg := sprintf("the risk rose from %s to %s", [previous.risk, input.version.risk])
}

carry_refusals contains msg if {
	some id in failed
	id in carry_items
	msg := sprintf("a carried-over certification still needs %s", [id])
}

carry if {
	not full
	count(deny) == 0
	count(carry_refusals) == 0
}

default outcome := "refused"

outcome := "certified" if full

outcome := "certified" if carry

reasons contains "every checklist item passed" if full

reasons contains msg if {
	carry
	msg := sprintf("patch of %s: its certification carries over (%s inherited)", [previous.version, concat(", ", sort(failed))])
}

reasons contains msg if {
	not full
	not carry
	some id in failed
	msg := sprintf("checklist item %s failed", [id])
}

reasons contains msg if {
	some msg in deny
}

# METADATA
# description: The whole decision, the entrypoint compiled to wasm.
# entrypoint: true
decision := {
	"outcome": outcome,
	"carried_from": carried_from,
	"reasons": sort(reasons),
	"failed": sort(failed),
	"carry_refusals": sort(carry_refusals),
}

default carried_from := null

carried_from := previous.version if carry
