// Validates API responses recorded by OpenApiIT against the schemas of the OpenAPI document they came with
// (Ajv, JSON Schema 2020-12, which OpenAPI 3.1 uses). Usage: node openapi-check.mjs DOCUMENT.json SAMPLES.json
// SAMPLES: [{method, path (the document's path template), status, body}]. Prints one JSON summary line.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [documentFile, samplesFile] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(documentFile, "utf8"));
const samples = JSON.parse(readFileSync(samplesFile, "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
const ID = "https://cyberun.invalid/openapi.json";
ajv.addSchema({ ...doc, $id: ID });

const token = (s) => encodeURIComponent(String(s).replaceAll("~", "~0").replaceAll("/", "~1"));
const failures = [];
let checked = 0;
for (const s of samples) {
  const op = doc.paths?.[s.path]?.[s.method.toLowerCase()];
  if (!op) {
    failures.push(`${s.method} ${s.path}: not in the document`);
    continue;
  }
  const status = String(s.status);
  const key = [status, `${status[0]}XX`, "default"].find((k) => op.responses?.[k]);
  const schema = key && op.responses[key].content?.["application/json"]?.schema;
  if (!schema) {
    failures.push(`${s.method} ${s.path} ${status}: the document gives no JSON schema for this answer`);
    continue;
  }
  const pointer = ["paths", s.path, s.method.toLowerCase(), "responses", key, "content", "application/json", "schema"].map(token).join("/");
  const validate = ajv.getSchema(`${ID}#/${pointer}`);
  checked++;
  if (!validate(s.body)) {
    failures.push(`${s.method} ${s.path} ${status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(s.body).slice(0, 400)}`);
  }
}
console.log(JSON.stringify({ checked, failures }));
