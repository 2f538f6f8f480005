# METADATA
# title: Guardrails
# description: |
#   Selects the profile of a lifecycle and sums its rules into one decision. A lifecycle is
#   marketplace_workflow when it offers a workflow beyond its tenant (publish as
#   partner-curated or public-ecosystem) or when a tenant installs, upgrades or runs
#   another tenant's template; otherwise local_workflow. The marketplace profile meets
#   the local rules too. Only the rules whose METADATA names the operation apply.
#
#   outcome: deny (a hard-deny), hold (a soft-deny not overridden: the lifecycle waits for
#   an override), allow. Evaluated as wasm in the lifecycles' policy activity (in history,
#   with the digest of this input) and by POST /api/policy/dry-run.
package guardrails

operations := {"publish", "install", "upgrade", "run"}

shared_profiles := {"partner-curated", "public-ecosystem"}

default profile := "local_workflow"

profile := "marketplace_workflow" if {
	input.operation == "publish"
	input.subject.visibility in shared_profiles
}

profile := "marketplace_workflow" if {
	input.operation != "publish"
	input.subject.owner_tenant != input.tenant
}

profile_rules contains r if {
	some r in data.local_workflow.rules
}

profile_rules contains r if {
	profile == "marketplace_workflow"
	some r in data.marketplace_workflow.rules
}

results := sort_by_id([r | some r in profile_rules; input.operation in r.operations])

sort_by_id(rs) := [r | some id in sort([x.id | some x in rs]); some r in rs; r.id == id]

ids(result) := [r.id | some r in results; r.result == result]

outcome := "invalid" if {
	not input.operation in operations
} else := "deny" if {
	count(ids("hard-deny")) > 0
} else := "hold" if {
	count(ids("soft-deny")) > 0
} else := "allow"

override_roles := sort({role | some r in results; r.result == "soft-deny"; some role in r.override_roles})

# METADATA
# description: The whole decision, the entrypoint compiled to wasm.
# entrypoint: true
decision := {
	"operation": input.operation,
	"profile": profile,
	"outcome": outcome,
	"rules": results,
	"hard_deny": ids("hard-deny"),
	"soft_deny": ids("soft-deny"),
	"advisory": ids("advisory"),
	"overridden": ids("overridden"),
	"override_roles": override_roles,
}
