// A client generated from the live OpenAPI document (openapi-typescript writes generated/cyberun-api.ts, openapi-fetch
// calls it) runs one task: OpenApiIT type-checks this file with tsc, then runs it with Node.
// Usage: node --experimental-strip-types generated-client.ts GATEWAY_URL SK_KEY. Prints one JSON summary line.
import createClient from "openapi-fetch";
import type { paths } from "./generated/cyberun-api.ts";

// Node's own types are not installed: the one thing used from them.
declare const process: { argv: string[] };
const [baseUrl, key] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });

const run = await client.POST("/api/v1/r/workflows/slug/{slug}/run", {
  params: { path: { slug: "demo-render" } },
  body: { parameters: { prompt: "from a generated client", steps: 2 } },
});
if (!run.data?.task_id) {
  throw new Error(`run refused: ${JSON.stringify(run.error)}`);
}
const taskId: string = run.data.task_id;
let status = "";
for (let i = 0; i < 600 && !["completed", "failed", "cancelled"].includes(status); i++) {
  const task = await client.GET("/api/v1/r/tasks/{id}", { params: { path: { id: taskId } } });
  status = task.data?.status ?? "";
  if (!["completed", "failed", "cancelled"].includes(status)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const result = await client.GET("/api/v1/r/tasks/{id}/result", { params: { path: { id: taskId } } });
const outputs: string[] = Object.keys(result.data?.download_urls ?? {});
console.log(JSON.stringify({ task_id: taskId, status, outputs }));
