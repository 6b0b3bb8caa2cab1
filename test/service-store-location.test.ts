import { describe, expect, it } from 'vitest';
import { parseStoreLocation, resolveStoreLocation } from '../sdk/service/store-location.js';
import { ServiceStoreError } from '../sdk/service/store-errors.js';

describe('store locations (--store / MESH_STORE)', () => {
  it('reads PostgreSQL URLs, keeps credentials for the client only, and takes schema= out', () => {
    const l = parseStoreLocation('postgres://mesh:s3cr%40t@db.example:5433/meshdb?sslmode=require&schema=svc1');
    expect(l).toEqual({
      kind: 'postgres', url: 'postgres://mesh:s3cr%40t@db.example:5433/meshdb?sslmode=require', schema: 'svc1',
      display: 'postgres://mesh:***@db.example:5433/meshdb?sslmode=require',
    });
    expect(parseStoreLocation('postgresql://h/db')).toMatchObject({ kind: 'postgres', url: 'postgresql://h/db', display: 'postgresql://h/db' });
  });

  it('reads directories and memory:', () => {
    expect(parseStoreLocation('./mesh-data')).toEqual({ kind: 'embedded', dir: './mesh-data' });
    expect(parseStoreLocation('file:/var/lib/mesh')).toEqual({ kind: 'embedded', dir: '/var/lib/mesh' });
    expect(parseStoreLocation('memory:')).toEqual({ kind: 'memory' });
  });

  it('refuses empty values and URLs without host or database, never echoing the password', () => {
    for (const bad of ['', '  ', 'file:', 'postgres://user:hunter2@/db', 'postgres://user:hunter2@host', 'postgres://user:hunter2@host/', 'postgres://user:hunter2@ho st/db']) {
      let error: unknown;
      try {
        parseStoreLocation(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ServiceStoreError);
      expect(error).toMatchObject({ code: 'SERVICE_BAD_ARGUMENT' });
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('--store wins over MESH_STORE, which wins over the default directory', () => {
    const env = { MESH_STORE: 'postgres://h/db' };
    expect(resolveStoreLocation({ store: './d', env })).toEqual({ kind: 'embedded', dir: './d' });
    expect(resolveStoreLocation({ env })).toMatchObject({ kind: 'postgres' });
    expect(resolveStoreLocation({ env: {}, defaultDir: './x' })).toEqual({ kind: 'embedded', dir: './x' });
    expect(resolveStoreLocation()).toEqual({ kind: 'embedded', dir: './mesh-data' });
  });
});
