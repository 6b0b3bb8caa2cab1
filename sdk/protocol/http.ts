/**
 * The HTTP exchange contract between `mathmesh/protocol` and a server adapter (design.md: a
 * contract belongs to the code that consumes it). An adapter (node:http, Deno.serve, Bun.serve,
 * a test) turns its runtime's request into an {@link HttpRequest}, asks the service for the body
 * limit before reading a byte of the body, and writes the {@link HttpResponse} back. Types only,
 * besides header-fields.ts (the header views both sides use): an adapter imports nothing else
 * from the SDK.
 *
 * The adapter's duties, in order:
 * 1. Build the head: method, the absolute URL as it received it (scheme it serves + Host +
 *    path and query), and the header fields as a {@link HeaderFieldsView}: a Fetch `Headers`
 *    (repeated fields appended), or — cheaper where the runtime hands over raw fields, as
 *    node:http does — a `ReceivedHeaderFields`, which reads exactly as that `Headers` would.
 * 2. `limit = service.bodyLimit(head)`. If Content-Length exceeds it, answer
 *    `await service.tooLarge(head)` without reading the body and close the connection.
 * 3. Read the body, counting bytes; past `limit`, stop reading, answer `tooLarge`, close.
 * 4. Answer `await service.handle({ ...head, body })`.
 */
import type { HeaderFieldsView } from './header-fields.js';

export type { HeaderFieldsView };

/** A request's line and header fields: what is known before the body is read. */
export interface HttpRequestHead {
  readonly method: string;
  /** Absolute URL as the adapter received it, e.g. `http://127.0.0.1:8080/.well-known/mmm/Status`. */
  readonly url: string;
  readonly headers: HeaderFieldsView;
}

/** A whole request. */
export interface HttpRequest extends HttpRequestHead {
  readonly body: Uint8Array;
}

/** A whole response. */
export interface HttpResponse {
  readonly status: number;
  /** The fields to send (`forEach` gives each once; the adapter adds Content-Length and framing). */
  readonly headers: HeaderFieldsView;
  readonly body: Uint8Array;
}

/** What an HTTP server adapter serves. */
export interface HttpService {
  /** Most body bytes this request may carry, decided from its head alone. */
  bodyLimit(head: HttpRequestHead): number;
  /** The answer to a request whose body is over {@link bodyLimit} (the body was not read). */
  tooLarge(head: HttpRequestHead): Promise<HttpResponse>;
  /** The answer to a request. Never rejects: a failure becomes a failure response. */
  handle(request: HttpRequest): Promise<HttpResponse>;
}
