import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { measureTxlog, type TxlogReport } from './txlog.js';

/**
 * {@link measureTxlog} — both loops, same run, alternating, exactly as in process — in a fresh
 * Node process, so that neither the writer nor the bare loop inherits the heap, the JIT state or
 * the fragmented memory of the benchmarks that ran before it in `npm run bench` (the sequence
 * benchmark just before it leaves hundreds of MB behind). The child runs the same module with the
 * same options and hands back the same report (`isolation: 'child process'`).
 */
export function measureTxlogInChild(opts: { records?: number; rounds?: number; warmup?: number } = {}): Promise<TxlogReport> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(opts)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report: TxlogReport | undefined;
    child.once('message', (m) => {
      report = m as TxlogReport;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (report) resolve({ ...report, isolation: 'child process' });
      else reject(new Error(`transaction-log child process exited with code ${code} and no report`));
    });
  });
}

// The child: measure, send the report, exit.
if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await measureTxlog(JSON.parse(process.argv[2] ?? '{}') as { records?: number; rounds?: number; warmup?: number });
  process.send(report, () => process.exit(0));
}
