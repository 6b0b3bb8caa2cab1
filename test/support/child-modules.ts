import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Plain JavaScript copies of repository modules for child processes that must start fast (a
 * child killed and restarted many times): each entry and every module it imports by a relative
 * path, transpiled one file at a time into `outDir` with the same layout. Package imports stay
 * as they are (they resolve from the repository's node_modules when `outDir` is inside it).
 * Types are not checked here (`npm run typecheck` does that).
 */
export function transpileForChild(root: string, entries: readonly string[], outDir: string): void {
  const todo = entries.map((e) => resolve(root, e));
  const done = new Set<string>();
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const ref of ts.preProcessFile(source, true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), ref.fileName.replace(/\.js$/, '.ts'));
      if (existsSync(target)) todo.push(target);
    }
    const js = ts.transpileModule(source, { fileName: file, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    const out = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js.outputText);
  }
}
