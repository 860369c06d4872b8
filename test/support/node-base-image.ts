/**
 * Stand-ins for `node:24-alpine`, which cannot be pulled here (TESTING.md: Docker Hub is
 * unreachable), made from this machine's own Node binary:
 * - {@link NODE_RUNTIME_IMAGE}: node and the shared libraries it links, nothing else (no shell),
 *   so a container built on it proves the final stage needs no shell;
 * - {@link NODE_BUILD_IMAGE}: the same plus npm, a static busybox as /bin/sh, tini-static (what
 *   `apk add tini-static` gives on Alpine) and, when the host trusts an extra CA for the npm
 *   registry (NODE_EXTRA_CA_CERTS), that bundle.
 * Both are imported once per engine; later calls find them and return at once.
 */
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DockerTestEngine } from './docker-engine';

export const NODE_RUNTIME_IMAGE = 'local/node-runtime:test';
export const NODE_BUILD_IMAGE = 'local/node-build:test';

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      [...args],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          reject(new Error(`${file} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
        else resolvePromise(stdout);
      },
    );
  });
}

function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const p = join(dir, bin);
    if (existsSync(p)) return realpathSync(p);
  }
  return undefined;
}

/** Copies `src` to the same path under `root` (following symlinks). */
function place(root: string, src: string, dest = src): void {
  mkdirSync(join(root, dirname(dest)), { recursive: true });
  copyFileSync(src, join(root, dest));
}

/** The node binary and every library `ldd` lists for it. */
async function addNode(root: string): Promise<void> {
  const node = realpathSync(process.execPath);
  place(root, node, '/usr/local/bin/node');
  chmodSync(join(root, 'usr/local/bin/node'), 0o755);
  const ldd = await run('ldd', [node]);
  for (const lib of ldd.match(/\/\S+/g) ?? []) place(root, lib);
  mkdirSync(join(root, 'tmp'), { recursive: true, mode: 0o1777 });
  chmodSync(join(root, 'tmp'), 0o1777);
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
}

/** Why the build stand-in cannot be made here, or undefined. */
export function nodeBuildImageUnavailable(): string | undefined {
  if (which('ldd') === undefined) return 'ldd is not on PATH';
  if (which('tini-static') === undefined)
    return 'tini-static is not on PATH (apt-get install tini)';
  if (which('busybox') === undefined)
    return 'busybox is not on PATH (apt-get install busybox-static)';
  const npm = which('npm');
  if (npm === undefined || !npm.endsWith('/bin/npm-cli.js'))
    return 'npm (npm-cli.js) is not on PATH';
  return undefined;
}

async function addBuildTools(root: string): Promise<string[]> {
  const busybox = which('busybox')!;
  place(root, busybox, '/bin/busybox');
  chmodSync(join(root, 'bin/busybox'), 0o755);
  for (const applet of (await run(busybox, ['--list']))
    .split('\n')
    .filter((a) => a !== '' && a !== 'busybox')) {
    symlinkSync('busybox', join(root, 'bin', applet));
  }
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  symlinkSync('/bin/env', join(root, 'usr/bin/env'));
  place(root, which('tini-static')!, '/sbin/tini-static');
  chmodSync(join(root, 'sbin/tini-static'), 0o755);
  const npmDir = dirname(dirname(which('npm')!));
  cpSync(npmDir, join(root, 'usr/local/lib/node_modules/npm'), {
    recursive: true,
    dereference: true,
  });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
  mkdirSync(join(root, 'root'), { recursive: true, mode: 0o700 });
  const changes = ['ENV PATH=/usr/local/bin:/usr/bin:/bin:/sbin', 'ENV HOME=/root'];
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (ca !== undefined && ca !== '' && existsSync(ca)) {
    place(root, ca, '/etc/ssl/certs/tmbot-test-extra-ca.crt');
    changes.push('ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/tmbot-test-extra-ca.crt');
  }
  return changes;
}

/** `tar -C root -c . | docker import` */
function importRootfs(
  engine: DockerTestEngine,
  root: string,
  changes: readonly string[],
  tag: string,
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const tar = spawn('tar', ['-C', root, '--numeric-owner', '-c', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const imp = spawn(
      'docker',
      ['-H', engine.host, 'import', ...changes.flatMap((c) => ['-c', c]), '-', tag],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    imp.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.stdout.pipe(imp.stdin);
    tar.on('error', reject);
    imp.on('error', reject);
    imp.on('close', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`docker import ${tag} failed: ${stderr}`)),
    );
  });
}

async function hasImage(engine: DockerTestEngine, tag: string): Promise<boolean> {
  return engine.cli(['image', 'inspect', tag]).then(
    () => true,
    () => false,
  );
}

/** Imports both stand-ins into `engine` unless they are there already. */
export async function ensureNodeBaseImages(engine: DockerTestEngine): Promise<void> {
  const reason = nodeBuildImageUnavailable();
  if (reason !== undefined) throw new Error(`cannot make the Node stand-in images: ${reason}`);
  for (const [tag, build] of [
    [NODE_RUNTIME_IMAGE, false],
    [NODE_BUILD_IMAGE, true],
  ] as const) {
    if (await hasImage(engine, tag)) continue;
    const root = mkdtempSync(join(tmpdir(), 'tmbot-node-rootfs-'));
    try {
      await addNode(root);
      const changes = build ? await addBuildTools(root) : ['ENV PATH=/usr/local/bin:/usr/bin:/bin'];
      await importRootfs(engine, root, changes, tag);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
}
