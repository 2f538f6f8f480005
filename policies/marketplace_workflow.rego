# METADATA
# title: Profile marketplace_workflow
# description: |
#   The rules of a workflow offered beyond its tenant: published as partner-curated or
#   public-ecosystem, or installed, upgraded and run by a tenant other than its owner. A
#   marketplace lifecycle meets the local_workflow rules too. Each rule is one entry of
#   `rules`, keyed by its id, with its METADATA and the reasons it found.
package marketplace_workflow

import data.profile_lib.outcome
import data.profile_lib.risk_rank

# METADATA
# title: Offered to the installing tenant
# description: |
#   A tenant installs or upgrades to a template version only when its profile offers it to
#   the tenant (partner-curated: the tenant is on the curated list; public-ecosystem:
#   every tenant) and the version is published beyond its owner.
# custom:
#   id: marketplace.offered-to-tenant
#   enforcement: hard
#   operations: [install, upgrade]
#   fix: Ask the template's publisher (or the platform curator, for partner-curated) to offer it to your tenant.
rules["marketplace.offered-to-tenant"] := outcome(rego.metadata.rule(), {msg |
	not input.subject.visible
	msg := sprintf("%s@%s (%s, owned by \"%s\") is not offered to tenant \"%s\"", [input.subject.template_id, input.subject.version, input.subject.visibility, input.subject.owner_tenant, input.tenant])
})

# METADATA
# title: Critical workflows are not public-ecosystem
# description: A critical-risk workflow may be offered to curated partners at most, never to every tenant.
# custom:
#   id: marketplace.critical-not-public
#   enforcement: hard
#   operations: [publish]
#   fix: Offer the workflow as partner-curated to named tenants, or reduce what it may do until its risk is high or lower.
rules["marketplace.critical-not-public"] := outcome(rego.metadata.rule(), {msg |
	input.subject.risk == "critical"
	input.subject.visibility == "public-ecosystem"
	msg := sprintf("\"%s\" is critical risk and cannot be public-ecosystem", [input.subject.definition_id])
})

# METADATA
# title: No task with unrestricted egress
# description: |
#   A marketplace workflow may not use a task that can reach any host: one whose manifest
#   allows egress to "*" while the tenant of the lifecycle (the publisher's, or the
#   installing tenant's) does not confine it with an allow-list of its own ("*" on it).
# custom:
#   id: marketplace.no-unrestricted-egress
#   enforcement: hard
#   operations: [publish, install, upgrade]
#   fix: Replace "*" on the tenant's egress allow-list with the hosts the workflow needs, or use tasks whose manifests name their hosts.
rules["marketplace.no-unrestricted-egress"] := outcome(rego.metadata.rule(), {msg |
	"*" in input.settings.egress_allow
	some s in input.subject.steps
	s.egress_any
	msg := sprintf("step \"%s\" (%s) may reach any host: its manifest allows \"*\" and tenant \"%s\" allows \"*\"", [s.id, s.task, input.tenant])
})

# METADATA
# title: No deprecated tasks in the marketplace
# description: A workflow offered beyond its tenant may not be published with a deprecated task.
# custom:
#   id: marketplace.no-deprecated-tasks
#   enforcement: hard
#   operations: [publish]
#   fix: Move the steps to the task's replacement version before offering the workflow.
rules["marketplace.no-deprecated-tasks"] := outcome(rego.metadata.rule(), {msg |
	some s in input.subject.steps
	s.deprecated
	msg := sprintf("step \"%s\" uses the deprecated task %s", [s.id, s.task])
})

# METADATA
# title: Certified before prod
# description: |
#   A marketplace template is installed into (or upgraded in) prod only at a certified
#   version; an overdue certification still counts.
# custom:
#   id: marketplace.prod-needs-certification
#   enforcement: hard
#   operations: [install, upgrade]
#   fix: Install into dev or staging, or wait for (or request) the version's certification.
rules["marketplace.prod-needs-certification"] := outcome(rego.metadata.rule(), {msg |
	input.target.environment == "prod"
	not input.subject.certification in {"certified", "overdue"}
	msg := sprintf("%s@%s is %s: prod takes certified marketplace versions only", [input.subject.template_id, input.subject.version, certification_name])
})

certification_name := input.subject.certification if is_string(input.subject.certification)

else := "not certified"

# METADATA
# title: The tenant's cap on outside risk
# description: |
#   A tenant may cap the risk of workflows it installs from other tenants
#   (tenant_setting.max_external_risk). Above the cap, a second tenant admin may override
#   with a rationale.
# custom:
#   id: marketplace.external-risk-cap
#   enforcement: soft
#   override_roles: [tenant-admin]
#   operations: [install, upgrade]
#   fix: Choose a template within the cap, or ask another tenant admin to override with a rationale (or raise max_external_risk).
rules["marketplace.external-risk-cap"] := outcome(rego.metadata.rule(), {msg |
	cap := input.settings.max_external_risk
	is_string(cap)
	risk_rank[input.subject.risk] > risk_rank[cap]
	msg := sprintf("%s is %s risk, above the cap of tenant \"%s\" on workflows from other tenants (%s)", [input.subject.template_id, input.subject.risk, input.tenant, cap])
})
