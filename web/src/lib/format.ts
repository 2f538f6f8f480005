import type { PublishStatus } from '../../../domain/publish.ts';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp for people; falls back to the raw string if it does not parse. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

const STATUS_LABELS: Record<PublishStatus, string> = {
  validating: 'validating',
  deciding: 'deciding',
  awaiting_approval: 'awaiting further approval',
  publishing: 'publishing',
  published: 'published',
  rejected: 'rejected',
  denied: 'denied by policy',
  invalid: 'invalid',
};

export const statusLabel = (s: string) => STATUS_LABELS[s as PublishStatus] ?? s.replace(/_/g, ' ');
