import { nodeIo } from '../../sdk/cli/io.js';
import { main } from '../../sdk/cli/main.js';

/**
 * The `mesh` command in a child process, as `npm start` runs it (`mesh service start --data
 * DIR`): test/mesh-service-fault.test.ts transpiles it once (child-modules.ts) and kills it with
 * SIGKILL again and again. argv: the command's arguments.
 */
process.exitCode = await main(process.argv.slice(2), nodeIo);
