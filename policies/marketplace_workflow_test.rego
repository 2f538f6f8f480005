package marketplace_workflow_test

import data.marketplace_workflow

base := {
	"operation": "install", "tenant": "globex", "actor": {"sub": "carol", "tenant": "globex", "roles": ["author"]},
	"subject": {
		"definition_id": "wf", "template_id": "tpl", "version": "1.0.0", "owner_tenant": "acme", "risk": "medium",
		"visibility": "partner-curated", "visible": true, "certification": null, "steps": [], "endpoints": [],
	},
	"settings": {"egress_allow": [], "region": null, "max_external_risk": null, "critical_runs_per_day": null, "business_hours": null},
	"target": {"environment": "dev"},
}

with_subject(patch) := object.union(base, {"subject": object.union(base.subject, patch)})

result(id, inp) := r if {
	r := marketplace_workflow.rules[id].result with input as inp
}

test_offered_to_tenant if {
	result("marketplace.offered-to-tenant", base) == "pass"
	result("marketplace.offered-to-tenant", with_subject({"visible": false})) == "hard-deny"
}

test_critical_not_public if {
	pub := object.union(with_subject({"risk": "critical", "visibility": "public-ecosystem"}), {"operation": "publish"})
	result("marketplace.critical-not-public", pub) == "hard-deny"
	result("marketplace.critical-not-public", with_subject({"risk": "critical"})) == "pass"
}

egress_step := {"id": "call", "task": "http.request@1.0.0", "order": 0, "side_effects": "read", "approval": false, "egress_any": true, "data_classes": [], "deprecated": false}

test_unrestricted_egress_needs_both_stars if {
	open := object.union(with_subject({"steps": [egress_step]}), {"settings": {"egress_allow": ["*"]}})
	result("marketplace.no-unrestricted-egress", open) == "hard-deny"
	confined := object.union(with_subject({"steps": [egress_step]}), {"settings": {"egress_allow": ["api.example.com"]}})
	result("marketplace.no-unrestricted-egress", confined) == "pass"
}

test_no_deprecated_tasks if {
	s := object.union(egress_step, {"deprecated": true})
	result("marketplace.no-deprecated-tasks", with_subject({"steps": [s]})) == "hard-deny"
}

prod := object.union(base, {"target": {"environment": "prod"}})

test_prod_needs_certification if {
	result("marketplace.prod-needs-certification", prod) == "hard-deny"
	certified := object.union(prod, {"subject": object.union(base.subject, {"certification": "certified"})})
	result("marketplace.prod-needs-certification", certified) == "pass"
	overdue := object.union(prod, {"subject": object.union(base.subject, {"certification": "overdue"})})
	result("marketplace.prod-needs-certification", overdue) == "pass"
	revoked := object.union(prod, {"subject": object.union(base.subject, {"certification": "revoked"})})
	r := marketplace_workflow.rules["marketplace.prod-needs-certification"] with input as revoked
	r.reasons == ["tpl@1.0.0 is revoked: prod takes certified marketplace versions only"]
	result("marketplace.prod-needs-certification", base) == "pass"
}

capped(cap) := object.union(base, {"settings": {"max_external_risk": cap}})

test_external_risk_cap if {
	result("marketplace.external-risk-cap", capped("low")) == "soft-deny"
	result("marketplace.external-risk-cap", capped("medium")) == "pass"
	result("marketplace.external-risk-cap", base) == "pass"
}

override(actor, rule, rationale) := {"rule": rule, "actor": actor, "rationale": rationale}

gus := {"sub": "gus", "tenant": "globex", "roles": ["tenant-admin"]}

test_valid_override if {
	inp := object.union(capped("low"), {"overrides": [override(gus, "marketplace.external-risk-cap", "vetted by security")]})
	r := marketplace_workflow.rules["marketplace.external-risk-cap"] with input as inp
	r.result == "overridden"
	r.override == {"by": "gus", "tenant": "globex", "roles": ["tenant-admin"], "rationale": "vetted by security"}
}

test_self_override_does_not_count if {
	me := {"sub": "carol", "tenant": "globex", "roles": ["tenant-admin"]}
	inp := object.union(capped("low"), {"overrides": [override(me, "marketplace.external-risk-cap", "mine")]})
	result("marketplace.external-risk-cap", inp) == "soft-deny"
}

test_wrong_role_does_not_count if {
	dave := {"sub": "dave", "tenant": "globex", "roles": ["reviewer"]}
	inp := object.union(capped("low"), {"overrides": [override(dave, "marketplace.external-risk-cap", "ok")]})
	result("marketplace.external-risk-cap", inp) == "soft-deny"
}

test_other_tenants_admin_does_not_count if {
	tina := {"sub": "tina", "tenant": "acme", "roles": ["tenant-admin"]}
	inp := object.union(capped("low"), {"overrides": [override(tina, "marketplace.external-risk-cap", "ok")]})
	result("marketplace.external-risk-cap", inp) == "soft-deny"
}

test_blank_rationale_does_not_count if {
	inp := object.union(capped("low"), {"overrides": [override(gus, "marketplace.external-risk-cap", "  \n")]})
	result("marketplace.external-risk-cap", inp) == "soft-deny"
}

test_override_of_another_rule_does_not_count if {
	inp := object.union(capped("low"), {"overrides": [override(gus, "local.critical-business-hours", "ok")]})
	result("marketplace.external-risk-cap", inp) == "soft-deny"
}

test_hard_rule_ignores_overrides if {
	root := {"sub": "root", "tenant": "acme", "roles": ["platform-admin"]}
	inp := object.union(with_subject({"visible": false}), {"overrides": [override(gus, "marketplace.offered-to-tenant", "please"), override(root, "marketplace.offered-to-tenant", "please")]})
	r := marketplace_workflow.rules["marketplace.offered-to-tenant"] with input as inp
	r.result == "hard-deny"
	r.override == null
}
