// Validates rendered Kubernetes manifests (multi-document YAML files named on the command line) against the
// Kubernetes API schemas (kubernetes-models) and the CRD schemas of Strimzi, CloudNativePG and prometheus-operator
// (@kubernetes-models packages generated from those operators' CRDs, pinned by package-lock.json). Each object must
// have a schema; an object without one fails, so a new kind cannot slip through unchecked.
// Prints one line per problem, then a JSON summary as the last line; exits 1 when any object is invalid.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const PACKAGES = [
  "kubernetes-models",
  "@kubernetes-models/strimzi-kafka-operator",
  "@kubernetes-models/cloudnative-pg",
  "@kubernetes-models/prometheus-operator",
];
// A DNS-1123 subdomain: what the API server requires of most names (Services: a 63-character label).
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const cache = new Map();

async function modelFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (!cache.has(key)) {
    let found = null;
    for (const pkg of PACKAGES) {
      try {
        const module = await import(`${pkg}/${apiVersion}/${kind}`);
        if (module[kind]) {
          found = { pkg, model: module[kind] };
          break;
        }
      } catch (e) {
        if (e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED" && e.code !== "ERR_MODULE_NOT_FOUND") throw e;
      }
    }
    cache.set(key, found);
  }
  return cache.get(key);
}

const summary = { files: 0, objects: 0, kinds: {}, invalid: [] };
for (const file of process.argv.slice(2)) {
  summary.files++;
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      summary.invalid.push({ file, object: "(YAML)", error: doc.errors.map((e) => e.message).join("; ") });
      continue;
    }
    const o = doc.toJS();
    if (!o) continue;
    summary.objects++;
    const id = `${o.kind} ${o.metadata?.name}`;
    summary.kinds[`${o.apiVersion} ${o.kind}`] = (summary.kinds[`${o.apiVersion} ${o.kind}`] ?? 0) + 1;
    const problems = [];
    const found = o.apiVersion && o.kind ? await modelFor(o.apiVersion, o.kind) : null;
    if (!found) {
      problems.push(`no schema for apiVersion ${o.apiVersion}, kind ${o.kind}`);
    } else {
      try {
        new found.model(o).validate();
      } catch (e) {
        problems.push(e.message);
      }
    }
    const name = o.metadata?.name ?? "";
    const limit = o.kind === "Service" ? 63 : 253;
    if (!NAME.test(name) || name.length > limit) problems.push(`metadata.name "${name}" is not a valid name (DNS-1123, at most ${limit})`);
    for (const p of problems) {
      console.log(`${file}: ${id}: ${p}`);
      summary.invalid.push({ file, object: id, error: p });
    }
  }
}
console.log(JSON.stringify(summary));
process.exit(summary.invalid.length ? 1 : 0);
