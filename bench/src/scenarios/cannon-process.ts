// One autocannon run in a process of its own, so the publish scenario reads the load tool's CPU
// apart from the bench's and the server's. Says "ready" once autocannon is loaded (the CPU reading
// starts there), runs the plan it is sent, sends the result, and exits when told to (after its CPU
// was read) or when the bench goes away. SIGTERM stops the run early; the partial result is sent.
import { type CannonPlan, type CannonResult, cannon, loadAutocannon } from './autocannon-run.js';

export type ToCannon = { readonly type: 'run'; readonly plan: CannonPlan } | { readonly type: 'exit' };
export type FromCannon = { readonly type: 'ready' } | { readonly type: 'result'; readonly result: CannonResult } | { readonly type: 'failed'; readonly message: string };

const send = (message: FromCannon) => process.send?.(message);
const abort = new AbortController();
process.on('SIGTERM', () => abort.abort());
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToCannon) => {
  if (message.type === 'exit') process.exit(0);
  cannon(message.plan, abort.signal).then(
    (result) => send({ type: 'result', result }),
    (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
});
await loadAutocannon();
send({ type: 'ready' });
