import { parentPort, workerData } from 'node:worker_threads';
import { init } from '../sdk/crypto/index.js';
import { writerLog } from './txlog.js';

/**
 * One worker of the thread measurement (txlog-threads.ts): its own WASM instances after `init()`,
 * a warm-up log, then on `go` its own independent log(s) of `records` records, and `done`.
 */
const { records, warmup } = workerData as { records: number; warmup: number };
await init();
await writerLog(warmup);
parentPort!.on('message', (m: { go?: number }) => {
  if (m.go === undefined) return;
  void (async () => {
    for (let i = 0; i < m.go!; i++) await writerLog(records);
    parentPort!.postMessage({ done: true });
  })();
});
parentPort!.postMessage({ ready: true });
