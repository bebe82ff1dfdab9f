// Fails when src/api/schema.d.ts is not what openapi-typescript makes of docs/openapi.yaml
// now: regenerate it with `npm run gen:api`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'console-api-'));
try {
  const fresh = join(dir, 'schema.d.ts');
  execFileSync('npx', ['openapi-typescript', '../docs/openapi.yaml', '-o', fresh], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const committed = readFileSync('src/api/schema.d.ts', 'utf8');
  if (readFileSync(fresh, 'utf8') !== committed) {
    console.error('src/api/schema.d.ts is stale: docs/openapi.yaml changed. Run `npm run gen:api` in console/.');
    process.exit(1);
  }
  console.log('src/api/schema.d.ts matches docs/openapi.yaml');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
