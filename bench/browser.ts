import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserAesReport } from './browser-aes-page.js';

/**
 * Runs bench/browser-aes-page.ts in headless Chromium (playwright-core, Debian's chromium or
 * CHROMIUM_PATH) and returns its figures: the browser column of the AES comparison and the data
 * behind `WEBCRYPTO_AES_THRESHOLDS`. Bundles the compiled page (dist/bench) with rollup, serves
 * it from 127.0.0.1 (a secure context, so WebCrypto is present) and waits for the result.
 * Returns a note instead when Chromium is missing, so `npm run bench` still completes.
 */
export async function measureBrowserAes(opts: { minMs: number; rounds: number }): Promise<BrowserAesReport & { chromium?: string; note?: string }> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const empty = { userAgent: '', builds: [], results: [] };
  if (!existsSync(chromiumPath)) return { ...empty, note: `no Chromium at ${chromiumPath} (set CHROMIUM_PATH): browser figures skipped` };
  const here = dirname(fileURLToPath(import.meta.url));
  const outDir = resolve(here, '..', '..', 'build', 'bench-browser');
  mkdirSync(outDir, { recursive: true });
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  const bundle = await rollup({
    input: join(here, 'browser-aes-page.js'),
    plugins: [nodeResolve({ browser: true })],
    onwarn: (w, warn) => void (w.code !== 'CIRCULAR_DEPENDENCY' && warn(w)),
  });
  await bundle.write({ file: join(outDir, 'page.js'), format: 'es' });
  await bundle.close();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(await readFile(join(outDir, 'page.js')));
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><meta charset="utf-8"><title>mathmesh AES benchmark</title><script type="module" src="/page.js"></script>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/?ms=${opts.minMs}&rounds=${opts.rounds}`);
    await page.waitForFunction(() => globalThis.__aesBench !== undefined, undefined, { timeout: 900_000, polling: 500 });
    const report = (await page.evaluate(() => globalThis.__aesBench))!;
    if (report.error) throw new Error(`the browser AES benchmark failed: ${report.error}`);
    return { ...report, chromium: browser.version() };
  } finally {
    await browser.close();
    await new Promise((ok) => server.close(ok));
  }
}
