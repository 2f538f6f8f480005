import { createAsync } from '@solidjs/router';
import { createResource, ErrorBoundary, Show, Suspense } from 'solid-js';
import type { VerificationResult } from '../../../domain/trust.ts';
import { evidenceBundle } from '../data/reviews.ts';
import { trustKeys } from '../data/trust.ts';
import { shortDigest } from '../lib/dsse.ts';
import { verifyEvidenceInBrowser } from '../lib/evidence-verify.ts';
import { errorMessage } from '../lib/format.ts';
import { VerificationChecks } from './verification-checks.tsx';
import { Contained } from './contained.tsx';

function download(name: string, value: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The finished review's evidence bundle (canonical JSON, each item with its digest and the
 * run that produced it), its platform signature verified in this browser, and downloads of
 * both (the signature is a Sigstore bundle `maestro verify` reads).
 */
export function EvidenceBundlePanel(props: { definitionId: string; version: string; versionDigest?: string }) {
  return (
    <Contained what="The evidence bundle">
      <EvidenceBundlePanelBody {...props} />
    </Contained>
  );
}

function EvidenceBundlePanelBody(props: { definitionId: string; version: string; versionDigest?: string }) {
  const view = createAsync(() => evidenceBundle(props.definitionId, props.version));
  const keys = createAsync(() => trustKeys());
  const [browser] = createResource(
    () => {
      const v = view();
      const k = keys();
      return v?.signature && k ? { v, k } : undefined;
    },
    ({ v, k }): Promise<VerificationResult> =>
      verifyEvidenceInBrowser(v.bundle, v.signature!, k.keys, {
        subjectName: `${props.definitionId}@${props.version}`,
        evidenceDigest: v.digest,
        ...(props.versionDigest ? { versionDigest: props.versionDigest } : {}),
      }),
  );
  const file = (what: string) => `evidence-${props.definitionId}@${props.version}${what}.json`;
  return (
    <section class="evidence-bundle" aria-labelledby="evidence-bundle-title" data-testid="evidence-bundle">
      <h3 id="evidence-bundle-title" class="subsection-title">
        Evidence bundle
      </h3>
      <ErrorBoundary fallback={(err) => <p class="inline-error">The evidence bundle cannot be read: {errorMessage(err)}</p>}>
        <Suspense fallback={<p class="muted small">Reading the evidence bundle…</p>}>
          <Show when={view()}>
            {(v) => (
              <>
                <p class="small">
                  <code title={v().digest}>{shortDigest(v().digest, 16)}</code> · outcome <strong>{v().bundle.outcome}</strong> · {v().bundle.controls.filter((c) => c.satisfied).length} of{' '}
                  {v().bundle.controls.length} controls satisfied
                </p>
                <Show when={v().signature} fallback={<p class="muted small">The evidence bundle is not signed.</p>}>
                  <VerificationChecks title="Signature verified in this browser" result={browser()} pending={browser.loading} testId="evidence-browser-verification" />
                </Show>
                <div class="receipt-actions">
                  <button type="button" class="button small" data-testid="evidence-download" onClick={() => download(file(''), v().bundle)}>
                    Download evidence
                  </button>
                  <Show when={v().signature}>
                    {(sig) => (
                      <button type="button" class="button small" onClick={() => download(file('.sigstore'), sig())}>
                        Download signature
                      </button>
                    )}
                  </Show>
                </div>
              </>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </section>
  );
}
