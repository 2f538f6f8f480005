import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/** npm run record-histories: records test/replay/histories/ against the real stack. */
export default mergeConfig(base, defineConfig({ test: { include: ['test/replay/record.ts'] } }));
