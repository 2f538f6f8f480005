package publish_test

import data.publish

author_acme := {"sub": "alice", "tenant": "acme", "roles": ["author"]}

def(risk, scope) := {"tenant": "acme", "risk": risk, "scope": scope}

publisher_acme := {"sub": "pat", "tenant": "acme", "roles": ["author", "publisher"]}

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

test_sharing_needs_review_even_at_low_risk if {
	d := publish.decision with input as {"actor": publisher_acme, "definition": def("low", "global")}
	d.allow
	d.review_required
	d.visibility == "public-ecosystem"
	d.review_reasons == ["visibility public-ecosystem: the workflow becomes visible beyond its owning tenant"]
}

test_a_plain_author_cannot_share if {
	d := publish.decision with input as {"actor": author_acme, "definition": def("low", "global")}
	not d.allow
	d.deny == ["only a publisher or the platform curator may offer a workflow as public-ecosystem"]
	d2 := publish.decision with input as {"actor": author_acme, "definition": object.union(def("low", "global"), {"visibility": "partner-curated"})}
	d2.deny == ["only a publisher or the platform curator may offer a workflow as partner-curated"]
}

test_an_author_may_keep_a_global_spec_internal if {
	d := publish.decision with input as {"actor": author_acme, "definition": object.union(def("low", "global"), {"visibility": "internal-only"})}
	d.allow
	not d.review_required
	d.visibility == "internal-only"
}

test_the_curator_may_share if {
	curator := {"sub": "cora", "tenant": "acme", "roles": ["author", "platform-curator"]}
	d := publish.decision with input as {"actor": curator, "definition": object.union(def("low", "global"), {"visibility": "partner-curated"})}
	d.allow
	d.visibility == "partner-curated"
	d.required_approvals == 1
}

test_tenant_local_cannot_be_shared if {
	d := publish.decision with input as {"actor": publisher_acme, "definition": object.union(def("low", "tenant-local"), {"visibility": "public-ecosystem"})}
	not d.allow
	d.deny == ["a tenant-local workflow cannot be offered as public-ecosystem: declare scope global"]
}

test_unknown_profile_is_denied if {
	d := publish.decision with input as {"actor": publisher_acme, "definition": object.union(def("low", "global"), {"visibility": "everyone"})}
	not d.allow
	`unknown visibility profile "everyone"` in d.deny
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
