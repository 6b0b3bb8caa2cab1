import { declaredOver, ownBytes, readLimited } from './body.js';
import type { HttpResponse, HttpService } from './http.js';

/**
 * An {@link HttpService} as a Fetch-style handler, `(Request) => Promise<Response>`: what
 * `Deno.serve`, `Bun.serve` and service workers take, and what a test passes to the client as
 * its `fetch` to run both ends in one process. The body is read with the service's cap: a
 * declared Content-Length over it is refused unread, a longer stream is cut off at the cap.
 */
export function fetchHandler(service: HttpService): (request: Request) => Promise<Response> {
  return async (request) => {
    const head = { method: request.method, url: request.url, headers: request.headers };
    const limit = service.bodyLimit(head);
    let out: HttpResponse;
    if (declaredOver(request.headers.get('content-length'), limit)) {
      await request.body?.cancel().catch(() => undefined);
      out = await service.tooLarge(head);
    } else {
      const body = await readLimited(request.body, limit);
      out = body === undefined ? await service.tooLarge(head) : await service.handle({ ...head, body });
    }
    const headers = new Headers();
    out.headers.forEach((value, name) => headers.append(name, value));
    return new Response(out.body.length === 0 ? null : ownBytes(out.body), { status: out.status, headers });
  };
}
