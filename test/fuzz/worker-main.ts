import { parentPort, workerData } from 'node:worker_threads';
import { fuzz } from './engine.js';
import { HEARTBEAT_HEADER, type WorkerData, type WorkerMessage } from './protocol.js';
import { TARGETS } from './targets/index.js';

/**
 * Inside a fuzz worker: runs one target and posts its statistics. Before each input the input is
 * copied into the shared heartbeat buffer and the tick counter advanced, so the runner's watchdog
 * can stop a worker stuck on one input and still report which input it was.
 */

const data = workerData as WorkerData;
const header = new Int32Array(data.heartbeat, 0, 4);
const record = new Uint8Array(data.heartbeat, HEARTBEAT_HEADER);

const load = TARGETS[data.target];
if (!load) throw new Error(`unknown fuzz target ${data.target}`);
const target = await load();
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const stats = await fuzz(target, {
  ...data,
  onFailure: (failure) => post({ failure }),
  onInput: (iteration, input) => {
    const n = Math.min(input.length, record.length);
    record.set(input.subarray(0, n));
    Atomics.store(header, 1, input.length);
    Atomics.store(header, 0, iteration);
    Atomics.add(header, 2, 1);
  },
});
post({ stats: { ...stats, failures: [] } }); // the failures went one by one
