package certify_test

import data.certify

cid := {"sub": "cid", "roles": ["platform-certifier"]}

ids := ["review-passed", "signature-verifies", "evidence-verifies", "controls-satisfied", "health-within-budget", "docs-complete", "no-critical-warnings", "certifier-independent"]

passes(id, failing) := false if id in failing

else := true

checklist(failing) := [{"id": id, "ok": passes(id, failing)} | some id in ids]

facts(failing, previous) := {
	"actor": cid,
	"checklist": checklist(failing),
	"version": {"version": "1.0.1", "change_kind": "patch", "risk": "medium"},
	"previous": previous,
}

current := {"version": "1.0.0", "status": "certified", "expired": false, "patch_of": true, "risk": "medium"}

test_every_item_passed_certifies if {
	d := certify.decision with input as facts(set(), null)
	d.outcome == "certified"
	d.carried_from == null
	d.reasons == ["every checklist item passed"]
}

test_a_failed_item_refuses_without_a_previous_certification if {
	d := certify.decision with input as object.remove(facts({"docs-complete"}, null), ["previous"])
	d.outcome == "refused"
	d.failed == ["docs-complete"]
	d.reasons == ["checklist item docs-complete failed"]
}

test_only_a_certifier_certifies if {
	d := certify.decision with input as object.union(facts(set(), null), {"actor": {"sub": "pat", "roles": ["publisher"]}})
	d.outcome == "refused"
	"only a platform certifier may certify" in d.reasons
}

test_a_patch_carries_over_what_it_inherits if {
	d := certify.decision with input as facts({"health-within-budget", "docs-complete"}, current)
	d.outcome == "certified"
	d.carried_from == "1.0.0"
}

test_a_patch_never_carries_over_its_own_review if {
	d := certify.decision with input as facts({"review-passed"}, current)
	d.outcome == "refused"
	d.carried_from == null
	"a carried-over certification still needs review-passed" in d.carry_refusals
}

test_a_minor_version_does_not_carry_over if {
	d := certify.decision with input as facts({"docs-complete"}, object.union(current, {"patch_of": false}))
	d.outcome == "refused"
	"1.0.1 is not a patch of 1.0.0" in d.carry_refusals
}

test_an_overdue_or_expired_certification_does_not_carry_over if {
	o := certify.decision with input as facts({"docs-complete"}, object.union(current, {"status": "overdue"}))
	o.outcome == "refused"
	e := certify.decision with input as facts({"docs-complete"}, object.union(current, {"expired": true}))
	e.outcome == "refused"
}

test_a_non_breaking_change_does_not_carry_over if {
	f := facts({"docs-complete"}, current)
	d := certify.decision with input as object.union(f, {"version": {"version": "1.0.1", "change_kind": "non-breaking", "risk": "medium"}})
	d.outcome == "refused"
}

test_a_riskier_patch_does_not_carry_over if {
	f := facts({"docs-complete"}, current)
	d := certify.decision with input as object.union(f, {"version": {"version": "1.0.1", "change_kind": "patch", "risk": "high"}})
	d.outcome == "refused"
	"the risk rose from medium to high" in d.carry_refusals
}

test_a_failed_item_refuses_when_nothing_is_carried if {
	d := certify.decision with input as facts({"docs-complete"}, null)
	d.outcome == "refused"
	d.carry_refusals == ["no earlier version of this definition holds a current certification"]
}
