import { makeDevice, makeService } from './wire.js';

/**
 * The parties of the push tests that run across processes (the Node service of
 * test/support/push-server.ts, and the portable suite's clients on Deno, Bun, Chromium and Node,
 * which derive the same keys from the same seeds).
 */
export const PUSH_SERVICE = makeService(71);
/** A connected device of alice@example.com that may read PUSH_READABLE. */
export const PUSH_ALICE = makeDevice(72);
/** A connected device of bob@example.com (same store names, another account). */
export const PUSH_BOB = makeDevice(73);
/** A device of alice@example.com that the test revokes. */
export const PUSH_CAROL = makeDevice(74);
export const PUSH_ALICE_ACCOUNT = 'alice@example.com';
export const PUSH_BOB_ACCOUNT = 'bob@example.com';
/** What every device of the fixture may read. */
export const PUSH_READABLE: readonly string[] = ['MMM_Access', 'MMM_Contact', 'MMM_Inbound', 'MMM_Local'];
/** Heads before any test: account → store → next index. */
export const PUSH_INITIAL: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  [PUSH_ALICE_ACCOUNT]: { MMM_Access: 2, MMM_Inbound: 5, MMM_Credential: 3 },
  [PUSH_BOB_ACCOUNT]: { MMM_Inbound: 7 },
};
