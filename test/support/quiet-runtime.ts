import { DefaultLogger, Runtime } from '@temporalio/worker';

/** Vitest setup file: SDK workers log warnings and errors only, so test output stays readable. */
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this test process
}
