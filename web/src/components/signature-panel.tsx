import { createAsync } from '@solidjs/router';
import { createResource, ErrorBoundary, Show, Suspense } from 'solid-js';
import type { VerificationResult } from '../../../domain/trust.ts';
import { ApiError } from '../data/api.ts';
import { trustKeys, versionSignature } from '../data/trust.ts';
import { shortDigest, verifyBundleInBrowser } from '../lib/dsse.ts';
import { errorMessage } from '../lib/format.ts';
import { VerificationChecks } from './verification-checks.tsx';
import { Contained } from './contained.tsx';

/**
 * A version's signature, verified twice side by side: in this browser (WebCrypto, against
 * the published keys, expecting the publisher's key and the version's content digest) and
 * by the API. A missing signature says so; it is not an error of the page.
 */
export function SignaturePanel(props: { definitionId: string; version: string; publisherTenant: string; expectedDigest?: string; onVerified?: (ok: boolean) => void }) {
  return (
    <Contained what="The signature">
      <SignaturePanelBody {...props} />
    </Contained>
  );
}

function SignaturePanelBody(props: { definitionId: string; version: string; publisherTenant: string; expectedDigest?: string; onVerified?: (ok: boolean) => void }) {
  const sig = createAsync(() =>
    versionSignature(props.definitionId, props.version).catch((e: unknown) => {
      if (e instanceof ApiError && (e.status === 404 || e.code === 'VERSION_UNSIGNED')) return null;
      throw e;
    }),
  );
  const keys = createAsync(() => trustKeys());
  const [browser] = createResource(
    () => {
      const s = sig();
      const k = keys();
      return s && k ? { s, k } : undefined;
    },
    async ({ s, k }): Promise<VerificationResult> => {
      const r = await verifyBundleInBrowser(s.bundle, k.keys, {
        keyOwner: { kind: 'publisher', id: props.publisherTenant },
        subjectDigest: props.expectedDigest ?? s.digest,
        subjectName: `${props.definitionId}@${props.version}`,
      });
      props.onVerified?.(r.ok);
      const { statement: _statement, ...result } = r;
      return result;
    },
  );
  return (
    <section class="detail-section" aria-labelledby="signature-title" data-testid="signature-panel">
      <h3 id="signature-title">
        Signature <span class="h3-version">of v{props.version}</span>
      </h3>
      <ErrorBoundary fallback={(err) => <p class="inline-error">The signature cannot be read: {errorMessage(err)}</p>}>
        <Suspense fallback={<p class="muted">Reading the signature…</p>}>
          <Show when={sig() !== undefined}>
            <Show when={sig()} fallback={<p class="muted" data-testid="unsigned">This version carries no signature.</p>}>
              {(s) => (
                <>
                  <p class="hint">
                    A standard Sigstore bundle (DSSE envelope, in-toto statement) naming <code>{props.definitionId}@{props.version}</code> and its content digest{' '}
                    <code class="digest">{shortDigest(s().digest, 16)}</code>.
                  </p>
                  <div class="verification-pair">
                    <VerificationChecks title="Verified in this browser" result={browser()} pending={browser.loading} testId="browser-verification" />
                    <VerificationChecks title="Verified by the API" result={s().verification} testId="api-verification" />
                  </div>
                </>
              )}
            </Show>
          </Show>
        </Suspense>
      </ErrorBoundary>
    </section>
  );
}
