package publish_test

import data.publish

author_acme := {"sub": "alice", "tenant": "acme", "roles": ["author"]}

def(risk, scope) := {"tenant": "acme", "risk": risk, "scope": scope}

test_low_risk_tenant_local_needs_no_review if {
	d := publish.decision with input as {"actor": author_acme, "definition": def("low", "tenant-local")}
	d.allow
	not d.review_required
	d.required_approvals == 0
	d.deny == []
}

test_medium_risk_needs_one_approval if {
	d := publish.decision with input as {"actor": author_acme, "definition": def("medium", "tenant-local")}
	d.allow
	d.review_required
	d.required_approvals == 1
	d.review_reasons == ["risk is medium: a reviewer must approve"]
}

test_global_scope_needs_review_even_at_low_risk if {
	d := publish.decision with input as {"actor": author_acme, "definition": def("low", "global")}
	d.review_required
	"global scope: the workflow becomes visible beyond its owning tenant" in d.review_reasons
}

test_critical_needs_two_approvals_and_a_publisher if {
	d := publish.decision with input as {"actor": author_acme, "definition": def("critical", "tenant-local")}
	not d.allow
	d.deny == ["only a publisher may publish a critical-risk workflow"]
	d2 := publish.decision with input as {
		"actor": {"sub": "pat", "tenant": "acme", "roles": ["publisher"]},
		"definition": def("critical", "tenant-local"),
	}
	d2.allow
	d2.required_approvals == 2
}

test_other_tenant_is_denied if {
	d := publish.decision with input as {
		"actor": {"sub": "carol", "tenant": "globex", "roles": ["author"]},
		"definition": def("low", "tenant-local"),
	}
	not d.allow
	d.deny == [`an actor of tenant "globex" cannot publish a definition owned by tenant "acme"`]
}

test_reviewer_without_author_role_is_denied if {
	d := publish.decision with input as {
		"actor": {"sub": "bob", "tenant": "acme", "roles": ["reviewer"]},
		"definition": def("low", "tenant-local"),
	}
	not d.allow
	"actor has neither the author nor the publisher role" in d.deny
}
