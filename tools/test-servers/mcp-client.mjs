// The official MCP TypeScript client (@modelcontextprotocol/sdk) driven by a JSON plan, for ScaiControl's MCP tests.
// Usage: node mcp-client.mjs PLAN.json   (PLAN: {"http": {"url", "headers"}} or {"stdio": {"command", "args", "env", "cwd"}},
// and "calls": [{"name", "arguments", "meta"}]). Prints one JSON object: {"tools": [...], "results": [...]}, each result
// the CallToolResult as the client received it, or {"protocol_error": message}. Exit 0 unless the connection fails.
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const transport = plan.http
  ? new StreamableHTTPClientTransport(new URL(plan.http.url), { requestInit: { headers: plan.http.headers ?? {} } })
  : new StdioClientTransport({ command: plan.stdio.command, args: plan.stdio.args, env: { ...process.env, ...(plan.stdio.env ?? {}) }, cwd: plan.stdio.cwd, stderr: 'inherit' });
const client = new Client({ name: 'scaicontrol-tests', version: '1.0.0' });
try {
  await client.connect(transport);
} catch (e) {
  process.stdout.write(JSON.stringify({ connect_error: String(e?.message ?? e) }));
  process.exit(0);
}

const out = { server: client.getServerVersion(), tools: [], results: [] };
out.tools = (await client.listTools()).tools;
for (const call of plan.calls ?? []) {
  try {
    out.results.push(await client.callTool({ name: call.name, arguments: call.arguments ?? {}, _meta: call.meta }));
  } catch (e) {
    out.results.push({ protocol_error: String(e?.message ?? e) });
  }
}

await client.close();
process.stdout.write(JSON.stringify(out));
