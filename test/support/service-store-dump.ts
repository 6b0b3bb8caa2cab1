import type { ServiceStore } from '../../sdk/service/store.js';

/**
 * Everything a service store holds, as comparable text: each account's record (address,
 * profile UDF, status, profile bytes), every frame of every store under `account/store/index`
 * (hex), and every record (hex). Two stores with equal dumps hold the same bytes.
 */
export async function dumpServiceStore(store: ServiceStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  for (let after: string | undefined; ;) {
    const page = await store.listAccounts({ ...(after !== undefined ? { after } : {}), limit: 100 });
    if (page.length === 0) break;
    for (const a of page) {
      out.set(`account ${a.address}`, `${a.profileUdf} ${a.status} ${a.created} ${hex(a.profile)}`);
      for (const head of await store.heads(a.address)) {
        for (let at = 0; at < head.nextIndex;) {
          const r = await store.read(a.address, head.store, at, { maxEntries: 500 });
          if (r.frames.length === 0) throw new Error(`${a.address}/${head.store}: no frame at ${at} below the head ${head.nextIndex}`);
          for (const f of r.frames) {
            if (at < head.nextIndex) out.set(`frame ${a.address}/${head.store}/${at}`, hex(f));
            at++;
          }
        }
        out.set(`head ${a.address}/${head.store}`, `${head.nextIndex} ${head.digest ? hex(head.digest) : '-'}`);
      }
    }
    after = page[page.length - 1]!.address;
  }
  for (let after: string | undefined; ;) {
    const names = await store.listRecords({ ...(after !== undefined ? { after } : {}), limit: 100 });
    if (names.length === 0) break;
    for (const n of names) {
      const v = await store.getRecord(n);
      if (v !== undefined) out.set(`record ${n}`, hex(v));
    }
    after = names[names.length - 1];
  }
  return out;
}
