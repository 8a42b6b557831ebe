// An independent MCP client (the official TypeScript SDK, Streamable HTTP transport) doing what an AI client does:
// run a workflow by its slug, follow the task with stream_task_events while printing every progress notification,
// then read the result and download its output. Prints one JSON summary line at the end; exits 1 with a message
// saying what went wrong.
//
//   CYBERUN_MCP_URL=http://127.0.0.1:8080/api/v1/mcp CYBERUN_API_KEY=sk-... \
//     node run-workflow.mjs demo-render '{"prompt":"a card","steps":3}'
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const url = process.env.CYBERUN_MCP_URL ?? 'http://127.0.0.1:8080/api/v1/mcp';
const key = process.env.CYBERUN_API_KEY;
const [slug = 'demo-render', parametersJson = '{}'] = process.argv.slice(2);

function fail(message) {
  console.error(`run-workflow: ${message}`);
  process.exit(1);
}

if (!key) fail('set CYBERUN_API_KEY to an sk- key of the team (see .local/secrets/bootstrap.env)');

async function tool(client, name, args, options) {
  const result = await client.callTool({ name, arguments: args }, undefined, options);
  const text = (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
  if (result.isError) fail(`${name} failed: ${text}`);
  if (!result.structuredContent) fail(`${name} returned no structured content: ${text}`);
  console.error(`${name}: ${text.split('\n')[0]}`);
  return result.structuredContent;
}

const client = new Client({ name: 'cyberun-e2e-node-client', version: '1.0.0' });
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${key}` } },
});
try {
  await client.connect(transport);
} catch (e) {
  fail(`could not connect to ${url}: ${e.message}`);
}
const server = client.getServerVersion();
console.error(`connected to ${server?.name} ${server?.version} (session ${transport.sessionId})`);

const run = await tool(client, 'run_workflow_by_slug', { workflow_slug: slug, parameters: JSON.parse(parametersJson) });
const taskId = run.task_id;
if (!taskId) fail(`run_workflow_by_slug answered without a task_id: ${JSON.stringify(run)}`);

const progress = [];
const end = await tool(client, 'stream_task_events', { task_id: taskId, timeout_seconds: 120 }, {
  onprogress: (p) => {
    progress.push(p);
    console.error(`  progress ${p.progress}: ${p.message}`);
  },
  timeout: 60_000,
  resetTimeoutOnProgress: true,
  maxTotalTimeout: 180_000,
});
if (end.status !== 'completed') fail(`task ${taskId} ended ${end.status}: ${JSON.stringify(end)}`);

const result = await tool(client, 'get_task_result', { task_id: taskId });
const outputs = Object.entries(result.download_urls ?? {});
if (outputs.length === 0) fail(`task ${taskId} completed without output: ${JSON.stringify(result)}`);
const downloads = {};
for (const [name, downloadUrl] of outputs) {
  const response = await fetch(downloadUrl);
  if (!response.ok) fail(`downloading ${name} answered ${response.status}`);
  downloads[name] = Buffer.from(await response.arrayBuffer()).toString('utf8');
  console.error(`downloaded ${name} (${downloads[name].length} bytes)`);
}
await transport.terminateSession();
await client.close();

console.log(JSON.stringify({
  server,
  protocol_version: transport.protocolVersion,
  task_id: taskId,
  status: end.status,
  progress_messages: progress.map((p) => p.message),
  progress_values: progress.map((p) => p.progress),
  downloads,
}));
