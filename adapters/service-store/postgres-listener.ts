import pg from 'pg';
import { quoteIdent } from './postgres-schema.js';

/** What {@link ChangeListener} needs. */
export interface ChangeListenerOptions {
  /** Connection settings of the listening connection (its own, outside the pool). */
  readonly config: pg.ClientConfig;
  /** The channel to LISTEN on. */
  readonly channel: string;
  /** Each notification's payload. */
  readonly onNote: (payload: string | undefined) => void;
  /** The connection was lost and is listening again: notifications sent meanwhile are lost. */
  readonly onReconnect: () => void;
  /** How often an idle connection is checked with a query (ms; default 10,000). */
  readonly pingMs?: number;
}

/**
 * The one listening connection of a PostgreSQL store (a host): `LISTEN` on its own connection,
 * outside the pool — a pooler in transaction mode (or a pooled connection handed to someone
 * else) would lose the subscription. When the connection is lost (server restart, network,
 * terminated backend) it reconnects with jittered exponential backoff (50 ms → 5 s) and then
 * calls `onReconnect`: notifications sent while it was away are lost by design (NOTIFY is not
 * queued for absent listeners), so the store tells its watchers to resync. A ping every
 * `pingMs` finds a connection that died without a word.
 */
export class ChangeListener {
  private client: pg.Client | undefined;
  private closed = false;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly ping: ReturnType<typeof setInterval>;
  /** How many times the connection was re-established. */
  reconnects = 0;

  private constructor(private readonly o: ChangeListenerOptions) {
    this.ping = setInterval(() => void this.check(), o.pingMs ?? 10_000);
    this.ping.unref();
  }

  /** Connects and listens; rejects if the first connection fails. */
  static async start(o: ChangeListenerOptions): Promise<ChangeListener> {
    const l = new ChangeListener(o);
    try {
      await l.connect();
    } catch (e) {
      await l.close();
      throw e;
    }
    return l;
  }

  /** The server process id of the listening connection (tests terminate it), if connected. */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({ ...this.o.config, keepAlive: true });
    // A client without an 'error' listener crashes the process when its connection fails.
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    c.on('notification', (m) => {
      if (this.client === c && m.channel === this.o.channel) this.o.onNote(m.payload);
    });
    this.client = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${quoteIdent(this.o.channel)}`);
    } catch (e) {
      if (this.client === c) this.client = undefined;
      await c.end().catch(() => undefined);
      throw e;
    }
  }

  private lost(c: pg.Client): void {
    if (this.client !== c) return;
    this.client = undefined;
    c.end().catch(() => undefined);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.retry) return;
    const base = Math.min(5000, 50 * 2 ** this.attempt++);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.reconnect();
    }, base / 2 + Math.random() * base / 2);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    try {
      await this.connect();
    } catch {
      this.schedule();
      return;
    }
    if (this.closed) return;
    this.attempt = 0;
    this.reconnects++;
    this.o.onReconnect();
  }

  private async check(): Promise<void> {
    const c = this.client;
    if (!c || this.closed) return;
    const timeout = new Promise<'timeout'>((r) => setTimeout(r, 5000, 'timeout').unref());
    const answer = await Promise.race([c.query('SELECT 1').then(() => 'ok' as const, () => 'failed' as const), timeout]);
    if (answer !== 'ok') this.lost(c);
  }

  /** Stops listening and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.ping);
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
