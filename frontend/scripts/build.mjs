// Builds the public pages' scripts and styles into dist/frontend/, which Django's
// staticfiles serves (settings.STATICFILES_DIRS). Everything comes from node_modules.
import { copyFile, cp, mkdir, rm } from "node:fs/promises";
import { build } from "esbuild";

const out = new URL("../dist/frontend/", import.meta.url);
await rm(new URL("../dist/", import.meta.url), { recursive: true, force: true });
await mkdir(out, { recursive: true });

await build({
  entryPoints: [new URL("../src/map.js", import.meta.url).pathname],
  outfile: new URL("map.js", out).pathname,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019"],
  // The country outlines are bundled with the script: one cached file, no tile server.
  loader: { ".json": "json" },
  legalComments: "linked",
  logLevel: "info",
});
// The filter panel's fold on phones: a few lines, loaded by the pages with filters.
await build({
  entryPoints: [new URL("../src/fold.js", import.meta.url).pathname],
  outfile: new URL("fold.js", out).pathname,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019"],
  logLevel: "info",
});
// leaflet.css points at images/*.png next to it: copy them too, or collectstatic's manifest
// (ManifestStaticFilesStorage) fails on the missing files.
const leaflet = new URL("../node_modules/leaflet/dist/", import.meta.url);
await copyFile(new URL("leaflet.css", leaflet), new URL("leaflet.css", out));
await cp(new URL("images/", leaflet), new URL("images/", out), { recursive: true });
