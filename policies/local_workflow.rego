# METADATA
# title: Profile local_workflow
# description: |
#   The rules every lifecycle of a workflow meets, in its own tenant or beyond it:
#   approval before side effects, the tenant's quotas and business hours for critical
#   runs, personal data kept in region, deprecated tasks. A marketplace lifecycle
#   (marketplace_workflow) meets these and its own. Each rule is one entry of `rules`,
#   keyed by its id, with its METADATA (custom: id, enforcement, operations, fix,
#   override_roles) and the reasons it found; policies/guardrails.rego selects and sums them.
package local_workflow

import data.profile_lib.approved_before
import data.profile_lib.outcome

# Side effects that change something outside the run (domain/policy-facts.ts derives a
# step's effect from its manifest; a literal GET/HEAD request of an `external` task reads).
# A task no longer in the registry has unknown effects: it counts as writing (fail closed).
changing_effects := {"write", "external", "unknown"}

elevated := {"high", "critical"}

# METADATA
# title: Approval before any step with side effects
# description: |
#   A high or critical workflow must wait for an approval step before its first step that
#   writes or deletes (a task whose manifest declares sideEffects write, or external
#   unless the step's literal method only reads). An approval inside the same parallel
#   group does not count: it does not run before its siblings.
# custom:
#   id: local.approval-before-side-effects
#   enforcement: hard
#   operations: [publish, install, upgrade]
#   fix: Add an approval@1.0.0 step at a top-level position before the first step that writes (or lower the workflow's risk if it really is low-impact).
rules["local.approval-before-side-effects"] := outcome(rego.metadata.rule(), {msg |
	input.subject.risk in elevated
	some s in input.subject.steps
	s.side_effects in changing_effects
	not approved_before(s.order)
	msg := sprintf("%s risk: step \"%s\" (%s, side effects %s) runs before any approval step", [input.subject.risk, s.id, s.task, s.side_effects])
})

# METADATA
# title: Deprecated tasks
# description: |
#   A workflow that uses a deprecated task still runs, but the task will be retired; the
#   marketplace profile refuses it outright at publish (marketplace.no-deprecated-tasks).
# custom:
#   id: local.deprecated-task
#   enforcement: advisory
#   operations: [publish, install, upgrade, run]
#   fix: Move the steps to the task's replacement version and publish a new version.
rules["local.deprecated-task"] := outcome(rego.metadata.rule(), {msg |
	some s in input.subject.steps
	s.deprecated
	msg := sprintf("step \"%s\" uses the deprecated task %s", [s.id, s.task])
})

# METADATA
# title: Risk raised by an upgrade
# description: An upgrade to a version of higher risk than the installed one changes what the instance may do.
# custom:
#   id: local.risk-raised
#   enforcement: advisory
#   operations: [upgrade]
#   fix: Read the target version's changelog and approvals before upgrading; pin the instance to stay on the lower-risk version.
rules["local.risk-raised"] := outcome(rego.metadata.rule(), {msg |
	data.profile_lib.risk_rank[input.subject.risk] > data.profile_lib.risk_rank[input.from.risk]
	msg := sprintf("the upgrade raises risk from %s (%s) to %s (%s)", [input.from.risk, input.from.version, input.subject.risk, input.subject.version])
})

# METADATA
# title: Daily quota of critical runs
# description: |
#   A tenant caps how many runs of critical workflows start per day (UTC):
#   tenant_setting.critical_runs_per_day. No cap is set by default.
# custom:
#   id: local.critical-run-quota
#   enforcement: hard
#   operations: [run]
#   fix: Wait for the next day (00:00 UTC) or ask a tenant admin to raise the tenant's critical_runs_per_day.
rules["local.critical-run-quota"] := outcome(rego.metadata.rule(), {msg |
	input.subject.risk == "critical"
	quota := input.settings.critical_runs_per_day
	is_number(quota)
	input.usage.critical_runs_today >= quota
	msg := sprintf("tenant \"%s\" started %d of its %d critical runs today (UTC)", [input.tenant, input.usage.critical_runs_today, quota])
})

# METADATA
# title: Critical runs within business hours
# description: |
#   A tenant with business hours (tenant_setting.business_hours: days, start and end hour,
#   time zone) starts critical runs only within them; outside, a tenant admin other than
#   the starter may override with a rationale.
# custom:
#   id: local.critical-business-hours
#   enforcement: soft
#   override_roles: [tenant-admin]
#   operations: [run]
#   fix: Start the run within the tenant's business hours, or ask another tenant admin to override with a rationale.
rules["local.critical-business-hours"] := outcome(rego.metadata.rule(), {msg |
	input.subject.risk == "critical"
	hours := input.settings.business_hours

	# null when the tenant set none
	is_object(hours)
	outside_hours(hours, input.clock)
	msg := sprintf("%s %02d:%02d (%s) is outside the business hours of tenant \"%s\" (%s %02d:00–%02d:00)", [input.clock.weekday, input.clock.hour, input.clock.minute, hours.timezone, input.tenant, concat(",", hours.days), hours.start_hour, hours.end_hour])
})

outside_hours(hours, clock) if not clock.weekday in hours.days

outside_hours(hours, clock) if clock.hour < hours.start_hour

outside_hours(hours, clock) if clock.hour >= hours.end_hour

# METADATA
# title: Personal data stays in region
# description: |
#   An endpoint bound to a step whose task declares the pii data class must lie in the
#   tenant's region: the install's region, else the tenant's home region. An endpoint's
#   region comes from the tenant's endpoint_regions (host pattern → region); a host none
#   of them matches is outside every region.
# custom:
#   id: local.pii-endpoint-in-region
#   enforcement: hard
#   operations: [install, upgrade]
#   fix: Bind an endpoint in the tenant's region (declare its host in the tenant's endpoint regions), or install into the region the endpoint is in.
rules["local.pii-endpoint-in-region"] := outcome(rego.metadata.rule(), {msg |
	some e in input.subject.endpoints
	e.pii
	outside_region(e.region)
	msg := sprintf("parameter \"%s\" binds host \"%s\" (region %s) to personal-data steps [%s] outside region %s", [e.parameter, e.host, region_name(e.region), concat(", ", e.steps), region_name(tenant_region)])
})

outside_region(_) if tenant_region == ""

outside_region(region) if region != tenant_region

default tenant_region := ""

tenant_region := input.target.region if {
	is_string(input.target.region)
	input.target.region != ""
} else := input.settings.region if {
	is_string(input.settings.region)
}

region_name(r) := r if r != ""

region_name("") := "unknown"
