// Entry of a fuzz worker thread (runner.ts): plain Node, so TypeScript sources load through the
// transpiling hooks in test/support/ts-hooks.mjs; then the worker proper runs.
import { register } from 'node:module';

register('../support/ts-hooks.mjs', import.meta.url);
process.setSourceMapsEnabled?.(true);
await import('./worker-main.ts');
