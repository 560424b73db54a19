import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
const kind = process.argv[2] ?? 'retrieve';
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/sp/prof', '--import', 'tsx', 'src/suites/server-serve.ts', JSON.stringify({ kind: 'lake', root: '/tmp/sp/prof-lake-' + Date.now(), refreshIntervalMs: kind === 'store' ? 0 : 1000 })], { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout });
const it = lines[Symbol.asyncIterator]();
const started = JSON.parse((await it.next()).value);
const headers = { authorization: `Bearer ${started.token}` };
if (kind === 'retrieve') {
  const res = await fetch(`${started.url}/v1/entries?name=b.bin&dataType=other`, { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: Buffer.alloc(4096, 1) });
  const entry = await res.json();
  const r = await autocannon({ url: `${started.url}/v1/entries/${entry.id}/content`, headers, connections: 32, duration: 8 });
  console.log('req/s', r.requests.average);
} else {
  let next = 0;
  const r = await autocannon({ url: started.url, connections: 32, amount: 3000, requests: [{ method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: Buffer.alloc(4096, 1), setupRequest: (o) => ({ ...o, path: `/v1/entries?name=f${next++}.bin&dataType=other&subpath=bench` }) }] });
  console.log('req/s', r.requests.average, r.non2xx);
}
child.kill('SIGTERM');
await it.next();
