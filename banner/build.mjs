/**
 * Build the banner with esbuild: static/cmp.js from banner/main.js and banner/style.css (what
 * a first visit downloads before the banner shows), and static/cmp-settings.js from
 * banner/chunk.js, settings.css and placeholder.css (the on-demand chunk: settings layer,
 * decision sender, opt-out sync, withdrawal cleanup, iframe placeholder; banner/later.js). `npm run build`
 * (the Makefile runs it). `node banner/build.mjs --check` exits 1 when a committed file (or
 * its .br) differs from a fresh build (the build is deterministic).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { minify } from 'terser';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const TARGET = ['chrome100', 'firefox101', 'safari16.4'];
// cmp.js carries the shortest notice (every byte of it is on a first visit's path).
const NOTICE = '/*! cmp.js (Apache-2.0) */';
const LICENSE = '(Apache-2.0), built from banner/ by esbuild and terser; docs/banner.md */';

const css = async (name) =>
  (await esbuild.transform(readFileSync(here(name), 'utf8'), { loader: 'css', minify: true, target: 'chrome100' })).code.trim();

/**
 * `cmp:core`, the chunk's way into the core: the names of banner/later.js `bridge`, in its
 * order, taken from the array cmp.js puts on the chunk's <script> element (then `done`).
 */
const bridgeModule = {
  name: 'cmp-core',
  setup(build) {
    build.onResolve({ filter: /^cmp:core$/ }, () => ({ path: 'core', namespace: 'cmp' }));
    build.onLoad({ filter: /.*/, namespace: 'cmp' }, () => {
      const list = readFileSync(here('later.js'), 'utf8').match(/const bridge = \(\) => \[([^\]]*)\];/);
      if (!list) throw new Error('banner/later.js: no `const bridge = () => [...]` list');
      const names = list[1].split(',').map((n) => n.trim()).filter(Boolean);
      return { contents: `export const [${names.join(', ')}, done] = document.currentScript.cmp;`, loader: 'js' };
    });
  },
};

/**
 * One bundle: an IIFE with the given compile-time constants. esbuild bundles (and simplifies
 * the syntax); terser then compresses and mangles: on cmp.js it ends about 100 bytes of
 * brotli below esbuild's own minifier (measured: 5,486 vs 5,582). ASCII only, so the file
 * reads the same whatever charset a self-hosting server declares.
 */
async function bundle(entry, define, banner) {
  const result = await esbuild.build({
    entryPoints: [here(entry)],
    plugins: [bridgeModule],
    bundle: true,
    minifySyntax: true,
    format: 'iife',
    target: TARGET,
    define: Object.fromEntries(Object.entries(define).map(([k, v]) => [k, JSON.stringify(v)])),
    legalComments: 'none',
    write: false,
  });
  const { code } = await minify(result.outputFiles[0].text, {
    compress: { passes: 2 },
    mangle: true,
    format: { ascii_only: true, preamble: banner },
  });
  return code + '\n';
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

const settings = await bundle(
  'chunk.js',
  { SETTINGS_CSS: await css('settings.css'), FRAME_CSS: await css('placeholder.css') },
  `/*! cmp-settings.js, the on-demand part of cmp.js ${LICENSE}`,
);
// The chunk's hash in its URL: a cached cmp.js never gets a chunk of another build.
const core = await bundle(
  'main.js',
  { CSS_TEXT: await css('style.css'), CHUNK_HASH: sha256(settings).slice(0, 8) },
  NOTICE,
);

// Brotli at its best quality, served when the browser accepts br (every browser over https);
// the .sha256 beside it lets the server check that the .br belongs to this very file.
const brotli = (text) =>
  brotliCompressSync(Buffer.from(text), {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: text.length },
  });

let stale = false;
for (const [name, text] of [['cmp.js', core], ['cmp-settings.js', settings]]) {
  const out = here('../static/' + name);
  const br = brotli(text);
  const digest = sha256(text);
  if (process.argv.includes('--check')) {
    try {
      const same =
        readFileSync(out, 'utf8') == text &&
        readFileSync(out + '.br.sha256', 'utf8').trim() == digest &&
        readFileSync(out + '.br').equals(br);
      stale ||= !same;
    } catch (e) {
      stale = true;
    }
  } else {
    writeFileSync(out, text);
    writeFileSync(out + '.br', br);
    writeFileSync(out + '.br.sha256', digest + '\n');
    console.log(`static/${name}: ${text.length} bytes, ${br.length} brotli`);
  }
}
if (stale) {
  console.error('static/ differs from a fresh build of banner/: run `make build`');
  process.exit(1);
}
