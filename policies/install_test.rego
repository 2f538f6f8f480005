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

cert_facts(risk, setting, status) := object.union(facts(risk, "prod"), {
	"settings": {"require_certification": setting},
	"certification": {"status": status},
})

test_certification_is_not_required_by_default if {
	c := install.certification with input as cert_facts("critical", "off", "none")
	not c.required
	c.allow
}

test_always_requires_a_certified_version if {
	c := install.certification with input as cert_facts("low", "always", "none")
	c.required
	not c.allow
	c.deny == [`tenant "globex" requires a certified version (always): acme.payroll-sync@1.0.0 is not certified`]
	ok := install.certification with input as cert_facts("low", "always", "certified")
	ok.allow
}

test_elevated_risk_requires_it_for_high_and_critical_only if {
	low := install.certification with input as cert_facts("medium", "elevated-risk", "none")
	low.allow
	high := install.certification with input as cert_facts("high", "elevated-risk", "refused")
	not high.allow
}

test_overdue_still_counts_with_a_warning if {
	c := install.certification with input as cert_facts("high", "always", "overdue")
	c.allow
	c.warnings == ["review overdue: the certification of acme.payroll-sync@1.0.0 expired and awaits recertification"]
}

test_own_templates_never_need_certification if {
	own := object.union(cert_facts("critical", "always", "none"), {"tenant": "acme", "actor": {"sub": "ada", "tenant": "acme", "roles": ["tenant-admin"]}})
	c := install.certification with input as own
	not c.required
	c.allow
}
