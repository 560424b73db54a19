import { MemoryBackend } from '@datalake/backend-memory';
import { removeDisk, serve, tempDisk } from './support/served.js';

const backend = process.argv[2] === 'disk' ? await tempDisk() : new MemoryBackend();
const s = await serve(backend);
const c = s.client();
function patternBytes(length: number, seed = 1) {
  const out = new Uint8Array(length);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}
const big = patternBytes(3 * 1024 * 1024 + 1, 61);
async function* chunks() {
  for (let o = 0; o < big.length; o += 100_000) {
    await new Promise((r) => setImmediate(r));
    yield big.slice(o, o + 100_000);
  }
}
let t = Date.now();
const e = await c.store({ name: 'large.bin', content: chunks(), dataType: 'logs' });
console.log('stream store', Date.now() - t, e.size);
t = Date.now();
const b = await c.readBytes(e.id);
console.log('read', Date.now() - t, b.length);
t = Date.now();
const w = await c.store({ name: 'buffer.bin', content: big, dataType: 'other' });
console.log('buffer store', Date.now() - t, w.size);
await s.close();
if (process.argv[2] === 'disk') await removeDisk(backend);
{
  const { DataLake } = await import('@datalake/core');
  const b2 = await tempDisk();
  const lake = await DataLake.open(b2, { onNotice() {} });
  let t = Date.now();
  await lake.store({ name: 'large.bin', content: chunks(), dataType: 'logs' });
  console.log('in-process stream store', Date.now() - t);
  t = Date.now();
  await lake.store({ name: 'b.bin', content: big, dataType: 'other' });
  console.log('in-process buffer store', Date.now() - t);
  await lake.close();
  await removeDisk(b2);
}
