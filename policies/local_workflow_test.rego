package local_workflow_test

import data.local_workflow

step(id, order, effects) := {
	"id": id, "task": "http.request@1.0.0", "order": order, "side_effects": effects, "approval": false,
	"egress_any": false, "data_classes": [], "deprecated": false,
}

approval(order) := object.union(step("approve", order, "none"), {"task": "approval@1.0.0", "approval": true})

base := {
	"operation": "install", "tenant": "acme", "actor": {"sub": "alice", "tenant": "acme", "roles": ["author"]},
	"subject": {
		"definition_id": "wf", "version": "1.1.0", "owner_tenant": "acme", "risk": "high",
		"visibility": "internal-only", "visible": true, "certification": null, "steps": [], "endpoints": [],
	},
	"settings": {"egress_allow": [], "region": "eu", "max_external_risk": null, "critical_runs_per_day": null, "business_hours": null},
	"target": {"environment": "dev"},
}

with_subject(patch) := object.union(base, {"subject": object.union(base.subject, patch)})

result(id, inp) := r if {
	r := local_workflow.rules[id].result with input as inp
}

test_write_before_approval_is_hard_deny if {
	r := local_workflow.rules["local.approval-before-side-effects"] with input as with_subject({"steps": [step("w", 0, "write"), approval(1)]})
	r.result == "hard-deny"
	r.reasons == ["high risk: step \"w\" (http.request@1.0.0, side effects write) runs before any approval step"]
}

test_write_after_approval_passes if {
	result("local.approval-before-side-effects", with_subject({"steps": [approval(0), step("w", 1, "external")]})) == "pass"
}

test_approval_in_same_parallel_group_does_not_count if {
	result("local.approval-before-side-effects", with_subject({"steps": [approval(0), step("w", 0, "write")]})) == "hard-deny"
}

test_reads_and_low_risk_need_no_approval if {
	result("local.approval-before-side-effects", with_subject({"steps": [step("r", 0, "read")]})) == "pass"
	result("local.approval-before-side-effects", with_subject({"risk": "medium", "steps": [step("w", 0, "write")]})) == "pass"
}

test_deprecated_task_is_advisory if {
	s := object.union(step("old", 0, "none"), {"deprecated": true})
	result("local.deprecated-task", with_subject({"steps": [s]})) == "advisory"
}

test_risk_raised_only_when_higher if {
	up := object.union(with_subject({"risk": "high"}), {"operation": "upgrade", "from": {"version": "1.0.0", "risk": "medium"}})
	result("local.risk-raised", up) == "advisory"
	same := object.union(up, {"from": {"version": "1.0.0", "risk": "high"}})
	result("local.risk-raised", same) == "pass"
}

run_input(patch) := object.union(object.union(with_subject({"risk": "critical"}), {"operation": "run"}), patch)

test_quota_reached_is_hard_deny if {
	inp := run_input({"settings": {"critical_runs_per_day": 2}, "usage": {"critical_runs_today": 2}})
	result("local.critical-run-quota", inp) == "hard-deny"
}

test_quota_below_cap_or_unset_passes if {
	result("local.critical-run-quota", run_input({"settings": {"critical_runs_per_day": 3}, "usage": {"critical_runs_today": 2}})) == "pass"
	result("local.critical-run-quota", run_input({"usage": {"critical_runs_today": 200}})) == "pass"
}

hours := {"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start_hour": 9, "end_hour": 17, "timezone": "Europe/Berlin"}

clock(day, hour) := {"weekday": day, "hour": hour, "minute": 30, "timezone": "Europe/Berlin"}

test_business_hours if {
	result("local.critical-business-hours", run_input({"settings": {"business_hours": hours}, "clock": clock("Tue", 10)})) == "pass"
	result("local.critical-business-hours", run_input({"settings": {"business_hours": hours}, "clock": clock("Tue", 17)})) == "soft-deny"
	result("local.critical-business-hours", run_input({"settings": {"business_hours": hours}, "clock": clock("Sat", 10)})) == "soft-deny"
	result("local.critical-business-hours", run_input({"settings": {"business_hours": hours}, "clock": clock("Mon", 8)})) == "soft-deny"
}

test_business_hours_unset_passes if {
	result("local.critical-business-hours", run_input({"clock": clock("Sun", 3)})) == "pass"
}

endpoint(region) := {"parameter": "api", "host": "api.example.com", "region": region, "pii": true, "steps": ["w"]}

test_pii_endpoint_region if {
	result("local.pii-endpoint-in-region", with_subject({"endpoints": [endpoint("eu")]})) == "pass"
	result("local.pii-endpoint-in-region", with_subject({"endpoints": [endpoint("us")]})) == "hard-deny"
	result("local.pii-endpoint-in-region", with_subject({"endpoints": [endpoint("")]})) == "hard-deny"
}

test_install_region_overrides_home_region if {
	inp := object.union(with_subject({"endpoints": [endpoint("us")]}), {"target": {"environment": "dev", "region": "us"}})
	result("local.pii-endpoint-in-region", inp) == "pass"
}

test_no_region_known_denies_pii if {
	inp := object.union(with_subject({"endpoints": [endpoint("eu")]}), {"settings": {"region": null}})
	result("local.pii-endpoint-in-region", inp) == "hard-deny"
}

test_non_pii_endpoint_anywhere if {
	e := object.union(endpoint("us"), {"pii": false})
	result("local.pii-endpoint-in-region", with_subject({"endpoints": [e]})) == "pass"
}

test_unknown_effects_count_as_writes if {
	d := data.guardrails.decision with input as {
		"operation": "publish",
		"tenant": "acme",
		"actor": {"sub": "pat", "tenant": "acme", "roles": ["publisher"]},
		"subject": {
			"definition_id": "acme.x", "version": "1.0.0", "owner_tenant": "acme", "risk": "high",
			"visibility": "internal-only", "visible": true, "certification": null, "endpoints": [],
			"steps": [{"id": "gone", "task": "gone@1.0.0", "order": 0, "side_effects": "unknown", "approval": false, "egress_any": false, "data_classes": [], "deprecated": false}],
		},
		"settings": {"egress_allow": [], "region": null, "max_external_risk": null, "critical_runs_per_day": null, "business_hours": null},
	}
	"local.approval-before-side-effects" in d.hard_deny
}
