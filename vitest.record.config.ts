import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/** npm run record-histories: records test/replay/histories/ against the real stack. */
export default defineConfig({ ...base, test: { ...base.test, include: ['test/replay/record.ts'] } });
