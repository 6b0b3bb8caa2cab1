// Entry of a fuzz worker thread (runner.ts): plain Node, so TypeScript sources load through the
// transpiling hooks in ts-hooks.mjs; then the worker proper runs.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
process.setSourceMapsEnabled?.(true);
await import('./worker-main.ts');
