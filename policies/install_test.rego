package install_test

import data.install

gus := {"sub": "gus", "tenant": "globex", "roles": ["tenant-admin"]}

facts(risk, env) := {
	"actor": gus,
	"tenant": "globex",
	"environment": env,
	"template": {"id": "acme.payroll-sync", "owner_tenant": "acme", "visibility": "public-ecosystem", "visible": true, "risk": risk},
	"version": {"version": "1.0.0", "status": "published", "visible": true},
}

test_low_risk_installs_without_approval if {
	d := install.decision with input as facts("low", "prod")
	d.allow
	d.deny == []
	d.approvals_required == 0
	d.reasons == []
}

test_medium_risk_needs_no_approval if {
	d := install.decision with input as facts("medium", "prod")
	d.allow
	d.approvals_required == 0
}

test_high_risk_needs_a_second_admin if {
	d := install.decision with input as facts("high", "dev")
	d.allow
	d.approvals_required == 1
	d.reasons == [`risk is high: a second tenant admin of "globex" must approve`]
}

test_critical_needs_one_outside_prod_and_two_in_prod if {
	d := install.decision with input as facts("critical", "staging")
	d.approvals_required == 1
	p := install.decision with input as facts("critical", "prod")
	p.allow
	p.approvals_required == 2
	"a critical-risk workflow installed into prod needs two approvals" in p.reasons
}

test_only_a_tenant_admin_installs if {
	d := install.decision with input as object.union(facts("low", "dev"), {"actor": {"sub": "carol", "tenant": "globex", "roles": ["author"]}})
	not d.allow
	d.deny == ["only a tenant admin may install a template"]
}

test_no_install_into_another_tenant if {
	d := install.decision with input as object.union(facts("low", "dev"), {"actor": {"sub": "tina", "tenant": "acme", "roles": ["tenant-admin"]}})
	not d.allow
	d.deny == [`an actor of tenant "acme" cannot install into tenant "globex"`]
}

test_a_template_not_offered_is_denied if {
	f := facts("low", "dev")
	d := install.decision with input as object.union(f, {"template": object.union(f.template, {"visible": false, "visibility": "partner-curated"})})
	not d.allow
	d.deny == [`template "acme.payroll-sync" is not offered to tenant "globex" (profile partner-curated)`]
}

test_an_unpublished_version_is_denied if {
	f := facts("low", "dev")
	d := install.decision with input as object.union(f, {"version": {"version": "1.1.0", "status": "draft", "visible": false}})
	not d.allow
	d.deny == [`version 1.1.0 of "acme.payroll-sync" is draft, not published: only published versions install`]
}

test_an_internal_version_of_an_offered_template_is_denied if {
	f := facts("low", "dev")
	d := install.decision with input as object.union(f, {"version": {"version": "1.1.0", "status": "published", "visible": false}})
	not d.allow
	d.deny == [`version 1.1.0 of "acme.payroll-sync" is not offered beyond its tenant`]
}
