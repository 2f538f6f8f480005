import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (`failureConverterPath`) in the client, the worker and inside the workflow
 * sandbox: error messages and stack traces go into the encoded attributes, so the payload
 * codec encrypts them too. Must stay sandbox-safe (imports @temporalio/common only).
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
