# METADATA
# title: Egress policy
# description: |
#   Decides whether an adapter may open a connection to a host. The host must be allowed
#   by BOTH the adapter's manifest (spec.security.egress.allow) and the tenant's
#   allow-list (tenant_setting.egress_allow). Patterns: an exact host, "*.suffix" (any
#   subdomain of suffix, not suffix itself) or "*" (any host). Evaluated as wasm inside
#   the adapter activity before any connection, for every hop of a redirect.
package egress

# METADATA
# description: True when pattern admits host (both already lower-case).
host_matches(pattern, _) if pattern == "*"

host_matches(pattern, host) if pattern == host

host_matches(pattern, host) if {
	startswith(pattern, "*.")
	endswith(host, substring(pattern, 1, -1))
}

host := lower(trim_suffix(input.host, "."))

manifest_patterns := [lower(p) | some p in input.manifest_allow]

tenant_patterns := [lower(p) | some p in input.tenant_allow]

manifest_match := sort([p | some p in manifest_patterns; host_matches(p, host)])

tenant_match := sort([p | some p in tenant_patterns; host_matches(p, host)])

# METADATA
# description: Reasons the connection is refused, naming host, tenant and list.
deny contains "no host: the URL has no host name" if host == ""

deny contains msg if {
	host != ""
	count(manifest_match) == 0

	# %s with explicit quotes: the wasm runtime's sprintf has no %q
	msg := sprintf("host \"%s\" is not allowed by the adapter manifest's egress allow-list [%s]", [host, concat(", ", manifest_patterns)])
}

deny contains msg if {
	host != ""
	count(tenant_match) == 0
	msg := sprintf("host \"%s\" is not allowed by the egress allow-list of tenant \"%s\" [%s]", [host, input.tenant, concat(", ", tenant_patterns)])
}

# METADATA
# description: The whole decision, the entrypoint compiled to wasm.
# entrypoint: true
decision := {
	"allow": count(deny) == 0,
	"host": host,
	"reasons": sort(deny),
	"manifest_match": manifest_match,
	"tenant_match": tenant_match,
}
