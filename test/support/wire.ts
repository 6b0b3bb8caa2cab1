import { dareKeyFromKeyPair, type DarePrivateKey, type DarePublicKey } from '../../sdk/dare/index.js';
import {
  buildProfileDevice, buildProfileService, combineKeys, dareKeyFromCombined, deriveActivationKeys, deriveDeviceKeys, deriveServiceKeys, newMeshSeed,
  sealProfile, type DeviceKeys, type Enveloped, type ProfileDevice, type ProfileService, type ServiceKeys, type StatusRequest,
} from '../../sdk/mesh/index.js';
import {
  fetchHandler, MeshHttpService, refuse, type FetchFunction, type HttpResponse, type MeshHttpServiceOptions, type RequestContext,
} from '../../sdk/protocol/index.js';
import { seeded } from './random.js';

/**
 * Parties for wire tests: a service (keys from a service seed, self-signed ProfileService), devices
 * (base keys, profile, and a co-generated Authentication key as a connected device holds it),
 * and an echo service whose handlers only count calls — the real handlers come with the service.
 */

export interface ServiceParty {
  readonly keys: ServiceKeys;
  readonly profile: Enveloped<ProfileService>;
  readonly udf: string;
  /** ServiceAuthentication private key (what MeshHttpService signs with). */
  readonly authentication: DarePrivateKey;
}

export function makeService(seed: number): ServiceParty {
  const keys = deriveServiceKeys(newMeshSeed('MeshProfileService', seeded(seed)));
  const profile = sealProfile(buildProfileService(keys), keys.profileSignature);
  return { keys, profile, udf: keys.profileSignature.udf, authentication: dareKeyFromKeyPair(keys.authentication) };
}

export interface DeviceParty {
  readonly keys: DeviceKeys;
  readonly profile: Enveloped<ProfileDevice>;
  /** Base Authentication key (Device and Key modes). */
  readonly base: DarePrivateKey;
  /** Co-generated Authentication key (base ⊕ activation, a raw scalar): Connection mode. */
  readonly connection: DarePrivateKey;
}

export function makeDevice(seed: number): DeviceParty {
  const keys = deriveDeviceKeys(newMeshSeed('MeshProfileDevice', seeded(seed)));
  const activation = deriveActivationKeys(newMeshSeed('MeshActivationAccount', seeded(seed + 1000)));
  return {
    keys,
    profile: sealProfile(buildProfileDevice(keys), keys.profileSignature),
    base: dareKeyFromKeyPair(keys.authentication),
    connection: dareKeyFromCombined(combineKeys(keys.authentication, activation.authentication)),
  };
}

/** What the echo handlers saw. */
export interface Calls {
  count: number;
  readonly contexts: RequestContext[];
}

/**
 * A MeshHttpService with counting handlers: Hello answers the profile; Status echoes DeviceUDF
 * in CatalogedDeviceDigest; Connect, BindAccount, Post, Transact count; Download refuses with
 * MeshUnknownAccount. `connections` maps account → keys a Connection credential may sign with.
 */
export function echoService(
  service: ServiceParty, connections: Record<string, readonly DarePublicKey[]>, options: Partial<MeshHttpServiceOptions> = {},
): { http: MeshHttpService; calls: Calls } {
  const calls: Calls = { count: 0, contexts: [] };
  const seen = (ctx: RequestContext): void => {
    calls.count++;
    calls.contexts.push(ctx);
  };
  const http = new MeshHttpService({
    serviceKey: service.authentication,
    resolveConnection: async (account, keyid) => connections[account]?.find((k) => k.kid === keyid),
    handlers: {
      Hello: () => ({ $class: 'MeshHelloResponse', Version: { $class: 'Version', Major: 3, Minor: 0 }, EnvelopedProfileService: service.profile }),
      Status: (req: StatusRequest, ctx) => {
        seen(ctx);
        return { $class: 'StatusResponse', ...(req.DeviceUDF === undefined ? {} : { CatalogedDeviceDigest: req.DeviceUDF }) };
      },
      Connect: (_req, ctx) => {
        seen(ctx);
        return { $class: 'ConnectResponse' };
      },
      BindAccount: (_req, ctx) => {
        seen(ctx);
        return { $class: 'BindResponse', Reason: ctx.auth!.keyid };
      },
      Post: (_req, ctx) => {
        seen(ctx);
        return { $class: 'PostResponse' };
      },
      Transact: (_req, ctx) => {
        seen(ctx);
        return { $class: 'TransactResponse' };
      },
      Download: () => {
        throw refuse('NotFound', { extended: 'NotFound', name: 'MeshUnknownAccount', detail: 'no such account' });
      },
    },
    ...options,
  });
  return { http, calls };
}

/** A request as it went over the wire (to replay or alter it). */
export interface Captured {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** A `fetch` that calls `handler` in-process and keeps every request it sent. */
export function inProcessFetch(handler: (request: Request) => Promise<Response>, sent: Captured[] = []): FetchFunction {
  return async (url, init) => {
    const request = new Request(url, init);
    const body = new Uint8Array(await request.clone().arrayBuffer());
    sent.push({ url: request.url, method: request.method, headers: new Headers(request.headers), body });
    return handler(request);
  };
}

/** The fetch handler of an echo service. */
export const handlerOf = (http: MeshHttpService): ((request: Request) => Promise<Response>) => fetchHandler(http);

/** The JSON of a response body (the tagged response object). */
export function payload(response: HttpResponse): { cls: string; Status?: number; StatusExtended?: number; StatusDescription?: string } {
  const value = JSON.parse(new TextDecoder().decode(response.body)) as Record<string, Record<string, unknown>>;
  const [cls] = Object.keys(value) as [string];
  return { cls, ...(value[cls] as object) };
}
