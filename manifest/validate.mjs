// Validate a Teams app manifest against the official JSON schema, offline.
//
//   node manifest/validate.mjs build/app.zip        (reads manifest.json from the zip root)
//   node manifest/validate.mjs path/to/manifest.json
//
// Uses AppManifestUtils.validateAgainstSchema from @microsoft/app-manifest (pinned in
// package.json; run `npm ci` in manifest/ first). The schema is read from the files bundled in
// that package, chosen by manifestVersion, so no network is needed. Prints every error and
// exits 1 on any error; exits 0 with "manifest valid against schema vX" otherwise.
// The zip reader below uses only node's zlib: no extra dependencies.

import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { inflateRawSync } from "node:zlib";

const require = createRequire(import.meta.url);

function fail(message) {
  console.error(`manifest validation failed: ${message}`);
  process.exit(1);
}

// Return the bytes of `wanted` from a zip archive (stored or deflated entries).
function readZipEntry(buf, wanted) {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip file (no end of central directory)");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error("corrupt zip central directory");
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    if (name === wanted) {
      if (buf.readUInt32LE(localOffset) !== 0x04034b50) throw new Error("corrupt zip local header");
      const start =
        localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
      const data = buf.subarray(start, start + compressedSize);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${wanted} uses unsupported zip compression method ${method}`);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  return null;
}

function loadManifestText(path) {
  if (!existsSync(path)) fail(`${path}: no such file`);
  const buf = readFileSync(path);
  if (path.toLowerCase().endsWith(".zip")) {
    let entry;
    try {
      entry = readZipEntry(buf, "manifest.json");
    } catch (err) {
      fail(`${path}: ${err.message}`);
    }
    if (!entry) fail(`${path}: manifest.json is missing from the zip root`);
    return entry.toString("utf8");
  }
  return buf.toString("utf8");
}

function bundledSchema(version) {
  const pkgDir = dirname(require.resolve("@microsoft/app-manifest/package.json"));
  const file = join(pkgDir, "build", "json-schemas", "teams", `v${version}`, "MicrosoftTeams.schema.json");
  if (!existsSync(file)) fail(`no bundled schema for manifestVersion ${version} (${file})`);
  // Same clean-up the package applies when it loads a schema itself.
  const raw = readFileSync(file, "utf8").replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b");
  return JSON.parse(raw);
}

const target = process.argv[2];
if (!target) fail("usage: node manifest/validate.mjs <app.zip | manifest.json>");

let manifest;
try {
  manifest = JSON.parse(loadManifestText(target).replace(/^\uFEFF/, ""));
} catch (err) {
  fail(`${target}: manifest.json is not valid JSON (${err.message})`);
}

let AppManifestUtils;
try {
  ({ AppManifestUtils } = require("@microsoft/app-manifest"));
} catch (err) {
  const missing = err.code === "MODULE_NOT_FOUND" && String(err.message).includes("@microsoft/app-manifest'");
  fail(missing ? "@microsoft/app-manifest is not installed; run `npm ci` in manifest/" : err.message);
}

const version = manifest.manifestVersion;
if (typeof version !== "string" || !/^\d+\.\d+$/.test(version)) {
  fail(`manifestVersion is missing or malformed: ${JSON.stringify(version)}`);
}
const errors = [];
const expectedSchema = `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`;
if (manifest.$schema !== expectedSchema) {
  errors.push(`/$schema is ${JSON.stringify(manifest.$schema)}, expected ${expectedSchema}`);
}
errors.push(...(await AppManifestUtils.validateAgainstSchema(manifest, bundledSchema(version))));

if (errors.length > 0) {
  for (const error of errors) console.error(`  ${error}`);
  fail(`${errors.length} error(s) in ${target}`);
}
console.log(`manifest valid against schema v${version}`);
