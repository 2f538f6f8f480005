# METADATA
# title: Publish policy
# description: |
#   Decides whether an actor may publish a workflow version and whether the publish
#   needs review. Returns reasons, never a bare boolean. Evaluated as wasm inside the
#   publish workflow's policy activity, so every decision is recorded in its history.
package publish

publisher_roles := {"author", "publisher"}

elevated_risks := {"medium", "high", "critical"}

# Profiles that show a workflow to other tenants (domain/access.ts VISIBILITY_PROFILES).
shared_profiles := {"partner-curated", "public-ecosystem"}

# Who may offer a workflow beyond its tenant: a plain author may not.
offering_roles := {"publisher", "platform-curator"}

# The profile this publish asks for; a request without one (older callers) follows the scope.
default visibility := "internal-only"

visibility := input.definition.visibility

visibility := "public-ecosystem" if {
	not input.definition.visibility
	input.definition.scope == "global"
}

# METADATA
# description: Reasons the publish is refused.
deny contains "actor has neither the author nor the publisher role" if {
	count({r | some r in input.actor.roles; r in publisher_roles}) == 0
}

deny contains msg if {
	input.actor.tenant != input.definition.tenant

	# %s with explicit quotes: the wasm runtime's sprintf has no %q
	msg := sprintf("an actor of tenant \"%s\" cannot publish a definition owned by tenant \"%s\"", [input.actor.tenant, input.definition.tenant])
}

deny contains msg if {
	visibility in shared_profiles
	count({r | some r in input.actor.roles; r in offering_roles}) == 0
	msg := sprintf("only a publisher or the platform curator may offer a workflow as %s", [visibility])
}

deny contains msg if {
	visibility in shared_profiles
	input.definition.scope != "global"
	msg := sprintf("a tenant-local workflow cannot be offered as %s: declare scope global", [visibility])
}

deny contains msg if {
	not visibility in {"internal-only", "partner-curated", "public-ecosystem"}
	msg := sprintf("unknown visibility profile \"%s\"", [visibility])
}

deny contains "only a publisher may publish a critical-risk workflow" if {
	input.definition.risk == "critical"
	not "publisher" in input.actor.roles
}

# METADATA
# description: Reasons the publish must wait for review.
review_reasons contains msg if {
	input.definition.risk in elevated_risks
	msg := sprintf("risk is %s: a reviewer must approve", [input.definition.risk])
}

review_reasons contains msg if {
	visibility in shared_profiles
	msg := sprintf("visibility %s: the workflow becomes visible beyond its owning tenant", [visibility])
}

default required_approvals := 0

required_approvals := 2 if {
	input.definition.risk == "critical"
} else := 1 if {
	count(review_reasons) > 0
}

# METADATA
# description: The whole decision, the entrypoint compiled to wasm.
# entrypoint: true
decision := {
	"allow": count(deny) == 0,
	"review_required": count(review_reasons) > 0,
	"required_approvals": required_approvals,
	"deny": sort(deny),
	"review_reasons": sort(review_reasons),
	"visibility": visibility,
}
