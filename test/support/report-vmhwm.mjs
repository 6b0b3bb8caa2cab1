// Loaded with `node --import` into a child process: at exit, prints the process's peak resident
// set (VmHWM from /proc/self/status, Linux) as one line on stderr, for memory bound tests.
import { readFileSync, writeSync } from 'node:fs';

process.on('exit', () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  writeSync(2, `VmHWM ${m ? m[1] : 'unknown'} kB\n`);
});
