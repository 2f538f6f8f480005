package egress_test

import data.egress

acme := ["*.example.internal", "localhost", "127.0.0.1"]

check(host, manifest_allow, tenant_allow) := d if {
	d := egress.decision with input as {
		"tenant": "acme",
		"host": host,
		"manifest_allow": manifest_allow,
		"tenant_allow": tenant_allow,
	}
}

test_allowed_by_both_lists if {
	d := check("hris.example.internal", ["*"], acme)
	d.allow
	d.reasons == []
	d.manifest_match == ["*"]
	d.tenant_match == ["*.example.internal"]
}

test_exact_host_and_ip if {
	check("localhost", ["localhost"], acme).allow
	check("127.0.0.1", ["*"], acme).allow
}

test_wildcard_matches_deeper_subdomains if {
	check("a.b.example.internal", ["*.example.internal"], acme).allow
}

test_wildcard_does_not_match_the_bare_suffix if {
	not check("example.internal", ["*"], acme).allow
}

test_wildcard_does_not_match_a_lookalike_suffix if {
	not check("evilexample.internal", ["*"], acme).allow
	not check("example.internal.evil.com", ["*"], acme).allow
}

test_case_and_trailing_dot_are_normalised if {
	d := check("HRIS.Example.Internal.", ["*.EXAMPLE.internal"], acme)
	d.allow
	d.host == "hris.example.internal"
}

test_tenant_list_denies_with_reason if {
	d := check("blocked.invalid", ["*"], acme)
	not d.allow
	d.reasons == ["host \"blocked.invalid\" is not allowed by the egress allow-list of tenant \"acme\" [*.example.internal, localhost, 127.0.0.1]"]
}

test_manifest_list_denies_with_reason if {
	d := check("localhost", ["*.example.internal"], ["*"])
	not d.allow
	d.reasons == ["host \"localhost\" is not allowed by the adapter manifest's egress allow-list [*.example.internal]"]
}

test_both_lists_deny if {
	d := check("blocked.invalid", [], [])
	not d.allow
	count(d.reasons) == 2
}

test_star_in_both_allows_everything if {
	check("anything.example.com", ["*"], ["*"]).allow
}

test_empty_lists_deny_everything if {
	not check("localhost", [], acme).allow
	not check("localhost", ["*"], []).allow
}

test_empty_host_is_denied if {
	d := check("", ["*"], ["*"])
	not d.allow
	d.reasons == ["no host: the URL has no host name"]
}
