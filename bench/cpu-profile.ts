import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';

/**
 * Starts a V8 CPU profile of this process (node:inspector, no restart with `--cpu-prof`, so a
 * bench profiles only the phase it measures); the function returned stops it and writes the
 * `.cpuprofile` JSON to `path` (Chrome DevTools and bench/profile-top.ts read it).
 */
export async function startProfile(path: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
  };
}
