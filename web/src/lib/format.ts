import type { PublishStatus } from '../../../domain/publish.ts';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp for people; falls back to the raw string if it does not parse. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** A day for people (lists, where the time of day is noise). */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateOnly.format(d);
}

const STATUS_LABELS: Record<PublishStatus, string> = {
  validating: 'validating',
  deciding: 'deciding',
  awaiting_override: 'held by policy: awaiting an override',
  awaiting_approval: 'awaiting further approval',
  publishing: 'publishing',
  published: 'published',
  rejected: 'rejected',
  denied: 'denied by policy',
  invalid: 'invalid',
};

export const statusLabel = (s: string) => STATUS_LABELS[s as PublishStatus] ?? s.replace(/_/g, ' ');

/** A duration for people: `420 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** Time of day (with seconds), for steps that happen within one run. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeOnly.format(d);
}

/** The message of anything thrown. */
export const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));
