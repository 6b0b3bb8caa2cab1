// Runs before `npm start` and `npm test` so each works on a fresh clone as a single command:
// installs from the lockfile when node_modules is missing or older than package-lock.json.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  // `npm ci` installs exactly what the lockfile pins; --ignore-scripts as in .ci/run.
  console.log('mathmesh: installing dependencies from package-lock.json');
  execSync('npm ci --no-audit --no-fund --ignore-scripts', { stdio: 'inherit' });
}
