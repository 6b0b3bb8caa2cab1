import { main } from '../../sdk/cli/main.js';

/**
 * A host of the Mesh service in a child process, through the real CLI: `node --import
 * test/support/ts-hooks.mjs test/support/mesh-service-child.ts service start --store … --port 0
 * --json` prints one JSON line (endpoint, UDF, store) and serves until SIGTERM (or SIGKILL).
 */
process.exitCode = await main(process.argv.slice(2));
