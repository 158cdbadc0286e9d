/**
 * Build static/cmp.js from banner/main.js and banner/style.css with esbuild:
 * `npm run build` (the Makefile runs it). `node banner/build.mjs --check` exits 1 when the
 * committed static/cmp.js (or its .br) differs from a fresh build (the build is deterministic).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
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
// Brotli at its best quality, served when the browser accepts br (every browser over https);
// the .sha256 beside it lets the server check that the .br belongs to this very cmp.js.
const brotli = brotliCompressSync(Buffer.from(built), {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: built.length },
});
const digest = createHash('sha256').update(built).digest('hex');

if (process.argv.includes('--check')) {
  const committed = readFileSync(out, 'utf8');
  const stamp = readFileSync(out + '.br.sha256', 'utf8').trim();
  if (committed != built || stamp != digest || !readFileSync(out + '.br').equals(brotli)) {
    console.error('static/cmp.js differs from a fresh build of banner/: run `make build`');
    process.exit(1);
  }
} else {
  writeFileSync(out, built);
  writeFileSync(out + '.br', brotli);
  writeFileSync(out + '.br.sha256', digest + '\n');
  console.log(`static/cmp.js: ${built.length} bytes, ${brotli.length} brotli`);
}
