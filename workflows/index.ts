export { publishWorkflow } from './publish.ts';
export { createDraftWorkflow } from './draft.ts';
