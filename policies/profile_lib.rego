# METADATA
# title: Policy profile library
# description: |
#   Shared helpers of the profile packages (local_workflow, marketplace_workflow): one rule
#   result from a rule's own METADATA (rego.metadata.rule()) and the reasons it found, so
#   every rule's id, title, enforcement level, fix and override roles are written once, in
#   the METADATA above the rule, and reach the decision, the docs and the simulation report.
package profile_lib

risk_rank := {"low": 0, "medium": 1, "high": 2, "critical": 3}

enforcement_result := {"advisory": "advisory", "soft": "soft-deny", "hard": "hard-deny"}

# Roles that act across tenants: an override by one of them is not bound to the lifecycle's tenant.
platform_roles := {"platform-curator", "platform-reviewer", "platform-certifier", "platform-admin"}

# METADATA
# description: |
#   The result of one rule: its METADATA and reasons. An empty reason set passes; otherwise
#   the result is the rule's enforcement level (advisory / soft-deny / hard-deny), and a
#   soft-deny with a valid override (input.overrides) is "overridden".
outcome(meta, reasons) := {
	"id": meta.custom.id,
	"title": meta.title,
	"description": object.get(meta, "description", ""),
	"enforcement": meta.custom.enforcement,
	"operations": meta.custom.operations,
	"fix": meta.custom.fix,
	"override_roles": object.get(meta.custom, "override_roles", []),
	"reasons": sort(reasons),
	"result": result(meta, reasons),
	"override": override_of(meta),
}

result(_, reasons) := "pass" if count(reasons) == 0

result(meta, reasons) := "overridden" if {
	count(reasons) > 0
	meta.custom.enforcement == "soft"
	count(valid_overrides(meta)) > 0
} else := enforcement_result[meta.custom.enforcement] if count(reasons) > 0

# METADATA
# description: |
#   The overrides of input.overrides that count for this rule: a soft rule, an actor who is
#   not the requester and holds one of the rule's override roles (a tenant role of the
#   lifecycle's tenant, or a platform role), and a rationale that is not blank.
valid_overrides(meta) := [o |
	meta.custom.enforcement == "soft"
	some o in object.get(input, "overrides", [])
	o.rule == meta.custom.id
	o.actor.sub != input.actor.sub
	trim_space(o.rationale) != ""
	some role in o.actor.roles
	role in object.get(meta.custom, "override_roles", [])
	role_in_scope(role, o.actor)
]

role_in_scope(role, _) if role in platform_roles

role_in_scope(role, actor) if {
	not role in platform_roles
	actor.tenant == input.tenant
}

override_of(meta) := {"by": o.actor.sub, "tenant": o.actor.tenant, "roles": roles, "rationale": o.rationale} if {
	o := valid_overrides(meta)[0]
	roles := [role | some role in o.actor.roles; role in meta.custom.override_roles]
} else := null

# METADATA
# description: True when the step with this order runs after an approval step (strictly earlier top-level position).
approved_before(order) if {
	some a in input.subject.steps
	a.approval
	a.order < order
}
