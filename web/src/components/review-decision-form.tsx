import { useAction } from '@solidjs/router';
import { createSignal, createUniqueId, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import { decideReview, KIND_LABELS, type ReviewDecisionRecord, type ReviewKind } from '../data/reviews.ts';
import { errorMessage } from '../lib/format.ts';
import { FormProblemAlert, type FormProblem } from './form-problem.tsx';

/** What the API's refusal codes mean for the reviewer who just tried. */
const HINTS: Record<string, string> = {
  SELF_REVIEW: 'You wrote or asked to publish this version: someone else must review it.',
  NOT_ELIGIBLE_REVIEWER: "Review policy does not let your team decide this kind of review.",
  RATIONALE_REQUIRED: 'Say what you checked and why: a rationale is required.',
  REVIEW_NOT_OPEN: 'This review is not open for decisions (still gathering evidence, or already decided or expired).',
  ALREADY_DECIDED: 'You have already decided this review.',
};

/**
 * The reviewer's decision on one kind of review: approve or reject, with a rationale (the
 * review workflow's Update validator refuses an empty one, the author, and reviewers whose
 * team policy does not allow). A refusal shows the API's code and what it means.
 */
export function ReviewDecisionForm(props: { definitionId: string; version: string; kind: ReviewKind; onDecided?: (d: ReviewDecisionRecord) => void }) {
  const id = createUniqueId();
  const decide = useAction(decideReview);
  const [rationale, setRationale] = createSignal('');
  const [sending, setSending] = createSignal<'approve' | 'reject'>();
  const [problem, setProblem] = createSignal<FormProblem>();

  const send = async (decision: 'approve' | 'reject') => {
    setProblem(undefined);
    const text = rationale().trim();
    if (!text) {
      setProblem({ message: HINTS.RATIONALE_REQUIRED!, code: 'RATIONALE_REQUIRED', details: [] });
      document.getElementById(`${id}-rationale`)?.focus();
      return;
    }
    setSending(decision);
    try {
      const record = await decide({ definitionId: props.definitionId, version: props.version, kind: props.kind, decision, rationale: text });
      setRationale('');
      props.onDecided?.(record);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : undefined;
      setProblem({
        message: code && HINTS[code] ? `${HINTS[code]} (${errorMessage(err)})` : errorMessage(err),
        ...(code ? { code } : {}),
        details: err instanceof ApiError ? (err.details ?? []) : [],
      });
    } finally {
      setSending(undefined);
    }
  };

  return (
    <form class="decision-form review-decision" onSubmit={(e) => e.preventDefault()} data-testid="review-decision-form">
      <label for={`${id}-rationale`}>Your {KIND_LABELS[props.kind].toLowerCase()} decision: rationale</label>
      <textarea
        id={`${id}-rationale`}
        rows={3}
        maxLength={4000}
        placeholder="What did you check in the spec, the diff and the evidence, and why is it safe (or not) to offer?"
        value={rationale()}
        disabled={Boolean(sending())}
        onInput={(e) => setRationale(e.currentTarget.value)}
        aria-describedby={`${id}-note`}
      />
      <p id={`${id}-note`} class="hint">
        Recorded in the review's workflow history and signed into its evidence bundle; the receipt keeps its digest.
      </p>
      <div class="decision-actions">
        <button type="button" class="button approve" disabled={Boolean(sending())} onClick={() => void send('approve')} data-testid="review-approve">
          {sending() === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" class="button reject" disabled={Boolean(sending())} onClick={() => void send('reject')} data-testid="review-reject">
          {sending() === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
      <Show when={problem()}>
        <FormProblemAlert problem={problem()} testId="review-decision-error" lead="Not recorded: " />
      </Show>
    </form>
  );
}
