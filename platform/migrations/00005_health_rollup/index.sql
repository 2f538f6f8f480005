-- Health rollups (issue 5): a record of each completed rollup, and the indexes it needs.

-- 1. One row per completed rollup. The next rollup only looks at the definitions whose
--    figures can have changed since the newest completed one (runs started or finished
--    after its window end, runs that crossed a window edge); a rollup that never
--    completed is not a watermark, so nothing it skipped is lost.
create table health_rollup (
  workflow_id   text not null,
  run_id        text not null,
  window_days   integer not null check (window_days between 1 and 365),
  window_start  timestamptz not null,
  window_end    timestamptz not null,
  considered    integer not null,
  changed       integer not null,
  completed_at  timestamptz not null default now(),
  primary key (workflow_id, run_id)
);
create index health_rollup_window_end on health_rollup (window_end desc);

-- 2. Which definitions had runs start or finish since a point in time (at 100k entries
--    and many runs a rollup must not scan the whole run table every few minutes).
create index run_started on run (started_at);
create index run_finished on run (finished_at) where finished_at is not null;
