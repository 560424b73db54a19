import { createServer } from 'node:net';

/** Binds `port` on loopback (0: any) and returns the port bound, or undefined if it is taken. */
function bind(port: number): Promise<{ port: number; release: () => Promise<void> } | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        release: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/**
 * `count` distinct free loopback ports, each with the `width` ports after it free too (e.g. 2 for
 * a Ceph monitor, which listens on a port and the next one). They stay free only until someone
 * else binds them, which is good enough for servers started right away.
 */
export async function freePorts(count: number, width = 1): Promise<number[]> {
  const held: Array<{ release: () => Promise<void> }> = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const first = await bind(0);
      if (!first) throw new Error('no free loopback port');
      held.push(first);
      const rest = [];
      for (let offset = 1; offset < width; offset++) {
        const next = first.port + offset <= 65535 ? await bind(first.port + offset) : undefined;
        if (!next) break;
        rest.push(next);
      }
      held.push(...rest);
      if (rest.length === width - 1) ports.push(first.port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((port) => port.release()));
  }
}
