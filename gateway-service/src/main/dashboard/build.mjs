// Bundles the dashboard into the gateway's static resources (the Maven build runs this in generate-resources):
// one ES module per page (app.js for /, pair.js for /desktop/pair), shared code split into chunks, and the stylesheet.
// Usage: node build.mjs <output directory>
import * as esbuild from 'esbuild';
import { rmSync } from 'node:fs';
import { relative } from 'node:path';

const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node build.mjs <output directory> (the Maven build passes target/classes/META-INF/resources/dashboard)');
  process.exit(2);
}
const started = Date.now();
// Chunk names carry a content hash: clear the output so no chunk of an earlier build is packaged with this one.
rmSync(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: ['src/app.js', 'src/pair.js', 'src/dashboard.css'],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.map')) console.log(`dashboard: ${relative(outdir, file)} ${(info.bytes / 1024).toFixed(1)} KiB`);
}
console.log(`dashboard: bundled in ${Date.now() - started} ms`);
