// The first load's JS and CSS, gzipped, against the budget (150 kB of JS). Prints one JSON
// line; `--json FILE` also writes it to FILE.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_JS = 150 * 1024;
const assets = join('dist', 'assets');
const sizes = { js: 0, css: 0, jsRaw: 0, cssRaw: 0 };
for (const name of readdirSync(assets)) {
  const kind = name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : null;
  if (!kind) continue;
  const bytes = readFileSync(join(assets, name));
  sizes[kind] += gzipSync(bytes, { level: 9 }).length;
  sizes[`${kind}Raw`] += bytes.length;
}
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(
  `[console] first load: JS ${kb(sizes.js)} gzipped (${kb(sizes.jsRaw)}), CSS ${kb(sizes.css)} gzipped (${kb(sizes.cssRaw)}); budget ${kb(BUDGET_JS)} of JS`,
);
const out = process.argv.indexOf('--json');
if (out > 0) writeFileSync(process.argv[out + 1], `${JSON.stringify(sizes)}\n`);
if (sizes.js > BUDGET_JS) {
  console.error('[console] over the JS budget');
  process.exit(1);
}
