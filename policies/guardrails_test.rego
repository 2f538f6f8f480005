package guardrails_test

import data.guardrails

step(id, task, order, effects) := {
	"id": id, "task": task, "order": order, "side_effects": effects, "approval": false,
	"egress_any": false, "data_classes": [], "deprecated": false,
}

approval(order) := object.union(step("approve", "approval@1.0.0", order, "none"), {"approval": true})

settings := {"egress_allow": [], "region": null, "max_external_risk": null, "critical_runs_per_day": null, "business_hours": null}

subject(owner, risk, visibility, steps) := {
	"definition_id": "wf", "template_id": "tpl", "version": "1.0.0", "owner_tenant": owner, "risk": risk,
	"visibility": visibility, "visible": true, "certification": null, "steps": steps, "endpoints": [],
}

actor := {"sub": "alice", "tenant": "acme", "roles": ["author"]}

input_of(op, owner, risk, visibility, steps) := {
	"operation": op, "tenant": "acme", "actor": actor, "subject": subject(owner, risk, visibility, steps),
	"settings": settings, "target": {"environment": "dev"},
}

test_local_publish_is_local_profile if {
	d := guardrails.decision with input as input_of("publish", "acme", "low", "internal-only", [])
	d.profile == "local_workflow"
	d.outcome == "allow"
	d.hard_deny == []
}

test_shared_publish_is_marketplace if {
	d := guardrails.decision with input as input_of("publish", "acme", "low", "partner-curated", [])
	d.profile == "marketplace_workflow"
	"marketplace.critical-not-public" in {r.id | some r in d.rules}
}

test_other_tenants_template_is_marketplace if {
	d := guardrails.decision with input as input_of("install", "globex", "low", "public-ecosystem", [])
	d.profile == "marketplace_workflow"
	d.outcome == "allow"
}

test_own_template_install_is_local if {
	d := guardrails.decision with input as input_of("install", "acme", "low", "internal-only", [])
	d.profile == "local_workflow"
	every r in d.rules { not startswith(r.id, "marketplace.") }
}

test_only_rules_of_the_operation_apply if {
	d := guardrails.decision with input as input_of("run", "globex", "low", "public-ecosystem", [])
	ids := {r.id | some r in d.rules}
	ids == {"local.critical-business-hours", "local.critical-run-quota", "local.deprecated-task"}
}

test_rules_sorted_by_id if {
	d := guardrails.decision with input as input_of("install", "globex", "low", "public-ecosystem", [])
	ids := [r.id | some r in d.rules]
	ids == sort(ids)
}

test_hard_deny_wins_over_soft if {
	inp := object.union(input_of("install", "globex", "critical", "public-ecosystem", [step("w", "http.request@1.0.0", 0, "write")]), {"settings": object.union(settings, {"max_external_risk": "low"})})
	d := guardrails.decision with input as inp
	d.outcome == "deny"
	d.hard_deny == ["local.approval-before-side-effects"]
	d.soft_deny == ["marketplace.external-risk-cap"]
	d.override_roles == ["tenant-admin"]
}

test_soft_deny_holds if {
	inp := object.union(input_of("install", "globex", "high", "public-ecosystem", []), {"settings": object.union(settings, {"max_external_risk": "medium"})})
	d := guardrails.decision with input as inp
	d.outcome == "hold"
	d.soft_deny == ["marketplace.external-risk-cap"]
}

test_unknown_operation_is_invalid if {
	d := guardrails.decision with input as input_of("delete", "acme", "low", "internal-only", [])
	d.outcome == "invalid"
	d.rules == []
}

test_advisory_allows if {
	s := object.union(step("d", "old@1.0.0", 0, "none"), {"deprecated": true})
	d := guardrails.decision with input as input_of("run", "acme", "low", "internal-only", [s])
	d.outcome == "allow"
	d.advisory == ["local.deprecated-task"]
}
