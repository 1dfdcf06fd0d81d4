/**
 * A loopback TCP forwarder for fault injection: reach the lab through another address (one
 * the certificate does not name), or cut every connection in the middle of an operation.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  host: string;
  port: number;
  /** Destroys every open connection (the client sees a reset). */
  cutAll(): void;
  /** While true, new connections are accepted and closed at once. */
  refuse: boolean;
  /** Bytes forwarded client -> server so far; a test can cut after N bytes with `cutAfterBytes`. */
  cutAfterBytes: number | undefined;
  /** Holds every client -> server chunk this long (order kept): makes an apply slow enough to interrupt. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startProxy(listenHost: string, listenPort: number, targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let forwarded = 0;
  const proxy: TcpProxy = {
    host: listenHost,
    port: listenPort,
    refuse: false,
    cutAfterBytes: undefined,
    delayMs: 0,
    cutAll() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.cutAll();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    if (proxy.refuse) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (d: Buffer) => {
      forwarded += d.length;
      if (proxy.cutAfterBytes !== undefined && forwarded > proxy.cutAfterBytes) {
        proxy.cutAll();
        return;
      }
      if (proxy.delayMs > 0) setTimeout(() => upstream.destroyed || upstream.write(d), proxy.delayMs);
      else upstream.write(d);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenHost, () => resolve());
  });
  return proxy;
}
