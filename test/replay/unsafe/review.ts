// the publish without its patched() guard around the review start
export { publishWorkflow } from './publish-unpatched-review.ts';
