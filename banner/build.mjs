/**
 * Build static/cmp.js from banner/main.js and banner/style.css with esbuild:
 * `npm run build` (the Makefile runs it). `node banner/build.mjs --check` exits 1 when the
 * committed static/cmp.js differs from a fresh build (the build is deterministic).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const out = here('../static/cmp.js');

const css = await esbuild.transform(readFileSync(here('style.css'), 'utf8'), {
  loader: 'css',
  minify: true,
  target: 'chrome100',
});

const result = await esbuild.build({
  entryPoints: [here('main.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox101', 'safari16.4'],
  define: { CSS_TEXT: JSON.stringify(css.code.trim()) },
  banner: {
    js: '/*! cmp.js, consent banner (Apache-2.0). Built from banner/ by esbuild; source and embed guide: docs/banner.md */',
  },
  legalComments: 'none',
  write: false,
});
const built = result.outputFiles[0].text;

if (process.argv.includes('--check')) {
  const committed = readFileSync(out, 'utf8');
  if (committed != built) {
    console.error('static/cmp.js differs from a fresh build of banner/: run `make build`');
    process.exit(1);
  }
} else {
  writeFileSync(out, built);
  console.log(`static/cmp.js: ${built.length} bytes`);
}
