// An expression evaluator process (see expression-sandbox.ts): one evaluation at a time,
// answered over IPC. It holds no secrets (its environment is emptied by the parent) and
// ends when the parent goes away.
import { ExpressionFailure, evaluateMigration, evaluateStep, evaluateTransform } from '../domain/expressions.ts';
import type { SandboxOutcome, SandboxTask } from './expression-sandbox.ts';

async function evaluate(task: SandboxTask): Promise<SandboxOutcome> {
  try {
    const value =
      task.op === 'step'
        ? await evaluateStep(task, task.context)
        : task.op === 'migrate'
          ? await evaluateMigration(task.expression, task.input)
          : await evaluateTransform(task.expression, task.data);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof ExpressionFailure) return { ok: false, code: e.code, message: e.message };
    if (e instanceof RangeError) return { ok: false, code: 'EXPRESSION_LIMIT', message: `the expression exceeded a limit: ${e.message}` };
    return { ok: false, code: 'EXPRESSION_ERROR', message: e instanceof Error ? e.message : String(e) };
  }
}

process.on('message', (m: { id: number; task: SandboxTask }) => {
  void evaluate(m.task).then((outcome) => process.send!({ id: m.id, outcome }));
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
