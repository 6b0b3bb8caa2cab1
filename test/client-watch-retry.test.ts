import { describe, expect, it } from 'vitest';
import { Backoff } from '../sdk/client/push/backoff.js';
import { isTransientFailure, retryTransient } from '../sdk/client/watch-retry.js';
import { ProtocolError } from '../sdk/protocol/errors.js';
import { refuse } from '../sdk/protocol/status.js';

/** A watch's download retried through a host's death or a database restart, and nothing else (sdk/client/watch-retry.ts). */
describe('watch: taking a change retries transient failures only', () => {
  const fast = (): Backoff => new Backoff({ initialMs: 1, maxMs: 2 });

  it('the network failing and 503 are transient; an authentic refusal, an unsigned answer, a local error are not', () => {
    expect(isTransientFailure(new ProtocolError('PROTOCOL_UNREACHABLE', 'fetch failed'))).toBe(true);
    expect(isTransientFailure(refuse('ServerOverload', { detail: 'store down' }))).toBe(true);
    expect(isTransientFailure(refuse('Forbidden', { detail: 'revoked' }))).toBe(false);
    expect(isTransientFailure(new ProtocolError('PROTOCOL_UNSIGNED_RESPONSE', 'not the service'))).toBe(false);
    expect(isTransientFailure(new Error('frame does not verify'))).toBe(false);
  });

  it('retries a host gone until the next one answers; throws what is not transient at once; stops when closed', async () => {
    let calls = 0;
    const got = await retryTransient(async () => {
      if (++calls < 4) throw new ProtocolError('PROTOCOL_UNREACHABLE', 'other side closed');
      return 'taken';
    }, () => false, fast());
    expect(got).toBe('taken');
    expect(calls).toBe(4);

    calls = 0;
    await expect(retryTransient(async () => {
      calls++;
      throw refuse('Forbidden', { detail: 'revoked' });
    }, () => false, fast())).rejects.toMatchObject({ status: 403 });
    expect(calls).toBe(1);

    let closed = false;
    calls = 0;
    const pending = retryTransient(async () => {
      if (++calls === 2) closed = true;
      throw new ProtocolError('PROTOCOL_UNREACHABLE', 'down');
    }, () => closed, fast());
    expect(await pending).toBeUndefined();
    expect(calls).toBe(2);
  });
});
