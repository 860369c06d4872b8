import { createServer } from 'node:net';

/** Ports this process has handed out: the kernel may pick a just-released port again. */
const handedOut = new Set<number>();

function kernelPick(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A port free on 127.0.0.1 when picked (the kernel's pick, released at once), and never one this
 * process handed out before: a test that picks ports for its own servers and then starts a process
 * that picks one too would otherwise be given the same number twice. Another test process may
 * still take it before it is bound; the starters retry on EADDRINUSE for that.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await kernelPick();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
