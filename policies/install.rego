# METADATA
# title: Install policy
# description: |
#   Decides whether a tenant admin may install a marketplace template version into an
#   environment of their tenant, and how many approvals of a second tenant admin the install
#   waits for. Returns reasons, never a bare boolean. Evaluated as wasm inside the install
#   lifecycle's policy activity (so every decision is in its history) and by the API's
#   install-check preview. The facts (visibility by profile, version status) are computed by
#   platform/install-check.ts with the one visibility rule of domain/access.ts.
#
#   Approvals: high or critical risk waits for one approval by a second tenant admin of the
#   installing tenant; a critical-risk workflow installed into prod waits for two (so a
#   tenant needs three tenant admins to install one: the requester and two approvers).
package install

elevated_risks := {"high", "critical"}

# METADATA
# description: Reasons the install is refused.
deny contains "only a tenant admin may install a template" if {
	not "tenant-admin" in input.actor.roles
}

deny contains msg if {
	input.actor.tenant != input.tenant

	# %s with explicit quotes: the wasm runtime's sprintf has no %q
	msg := sprintf("an actor of tenant \"%s\" cannot install into tenant \"%s\"", [input.actor.tenant, input.tenant])
}

deny contains msg if {
	not input.template.visible
	msg := sprintf("template \"%s\" is not offered to tenant \"%s\" (profile %s)", [input.template.id, input.tenant, input.template.visibility])
}

deny contains msg if {
	input.version.status != "published"
	msg := sprintf("version %s of \"%s\" is %s, not published: only published versions install", [input.version.version, input.template.id, input.version.status])
}

deny contains msg if {
	input.version.status == "published"
	input.template.visible
	not input.version.visible
	msg := sprintf("version %s of \"%s\" is not offered beyond its tenant", [input.version.version, input.template.id])
}

# METADATA
# description: Why approvals are required.
reasons contains msg if {
	input.template.risk in elevated_risks
	msg := sprintf("risk is %s: a second tenant admin of \"%s\" must approve", [input.template.risk, input.tenant])
}

reasons contains msg if {
	input.template.risk == "critical"
	input.environment == "prod"
	msg := "a critical-risk workflow installed into prod needs two approvals"
}

default approvals_required := 0

approvals_required := 2 if {
	input.template.risk == "critical"
	input.environment == "prod"
} else := 1 if {
	input.template.risk in elevated_risks
}

# METADATA
# description: The whole decision, the entrypoint compiled to wasm.
# entrypoint: true
decision := {
	"allow": count(deny) == 0,
	"deny": sort(deny),
	"approvals_required": approvals_required,
	"reasons": sort(reasons),
}

# METADATA
# description: |
#   Whether the installing tenant requires a certified version of another tenant's template
#   (tenant_setting.require_certification: off, elevated-risk or always). A tenant's own
#   templates never need one. An overdue certification still counts, with a warning.
default certification_required := false

certification_required if {
	input.template.owner_tenant != input.tenant
	input.settings.require_certification == "always"
}

certification_required if {
	input.template.owner_tenant != input.tenant
	input.settings.require_certification == "elevated-risk"
	input.template.risk in elevated_risks
}

certified_states := {"certified", "overdue"}

certification_refusals contains msg if {
	certification_required
	not input.certification.status in certified_states
	msg := sprintf("tenant \"%s\" requires a certified version (%s): %s@%s is not certified", [input.tenant, input.settings.require_certification, input.template.id, input.version.version])
}

certification_warnings contains msg if {
	input.certification.status == "overdue"
	msg := sprintf("review overdue: the certification of %s@%s expired and awaits recertification", [input.template.id, input.version.version])
}

# METADATA
# description: The certification part of the install decision, an entrypoint of its own.
# entrypoint: true
certification := {
	"required": certification_required,
	"allow": count(certification_refusals) == 0,
	"deny": sort(certification_refusals),
	"warnings": sort(certification_warnings),
}
