import type { ContainerDetails } from '../../../src/adapters/docker/port';
import { Redactor } from '../../../src/log/redactor';
import {
  ADMIN_ONLY,
  ContainerRedaction,
  containerForViewer,
  REDACTED,
} from '../../../src/security/redact-container';

const TOKEN = '123456789:AAHsecretHalfOfTheTokenXXXXXXXXXXXXXX';
const SALT = 'SALTVALUEQWERTYUIOPASDFGHJKL';

function redaction(): ContainerRedaction {
  const r = new Redactor([TOKEN, SALT]);
  return new ContainerRedaction((t) => r.redact(t));
}

const base: ContainerDetails = {
  id: 'a'.repeat(64),
  name: 'x',
  image: 'busybox',
  imageId: 'sha256:1',
  state: 'running',
  health: 'unhealthy',
  failingStreak: 1,
  lastHealthCheck: {
    at: 1,
    exitCode: 1,
    output: `curl -H "Authorization: Bearer abcdefghijkl" ${TOKEN}`,
  },
  createdAt: 1,
  restartCount: 0,
  pid: 1,
  exitCode: 0,
  oomKilled: false,
  dead: false,
  error: '',
  limits: {
    memory: 0,
    memoryReservation: 0,
    cpuQuota: 0,
    cpuPeriod: 0,
    nanoCpus: 0,
    cpusetCpus: '',
    pidsLimit: 0,
    restartPolicy: 'no',
    maxRetries: 0,
  },
  config: {
    user: '',
    workdir: '',
    entrypoint: ['/app', `--bot=${TOKEN}`],
    cmd: [
      '--salt-value',
      SALT,
      '--password=hunter2',
      '-p',
      'pw1',
      '--db-url=postgres://u:pass@h/d',
      '--port',
      '80',
    ],
    env: [
      { key: 'PLAIN', value: TOKEN },
      { key: 'NOTIFY', value: `https://api.telegram.org/bot${TOKEN}/sendMessage` },
      { key: 'ENCODED', value: `https://x/?t=${encodeURIComponent(TOKEN)}` },
      { key: 'HALF', value: `t=${TOKEN.split(':')[1] ?? ''}` },
      { key: 'OPTS', value: '--password=s3cr3t --verbose' },
      { key: 'CREDS', value: 'alice:wonder' },
      { key: 'ESC', value: 'a\u001b[31mred\u001b]0;title\u0007\u202eb\nc' },
      { key: 'MODE', value: 'prod' },
    ],
    labels: [{ key: 'notify', value: TOKEN }],
    tty: false,
    hostname: '',
    domainname: '',
    stopSignal: '',
    exposedPorts: [],
    imageVolumes: [],
  },
  network: {
    mode: '',
    ports: [],
    networks: [],
    sandboxId: '',
    publishAll: false,
    dns: [],
    dnsSearch: [],
    dnsOptions: [],
    extraHosts: [],
    links: [],
  },
  storage: { mounts: [], binds: [], volumesFrom: [], tmpfs: [] },
  security: {
    privileged: false,
    readonlyRootfs: false,
    oomKillDisable: false,
    init: false,
    securityOpt: [],
    capAdd: [],
    capDrop: [],
  },
};

describe('ContainerRedaction', () => {
  const c = redaction().container(base);
  const all = JSON.stringify(c);

  it('hides configured secrets in every encoding, in env, labels, command and health output', () => {
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(encodeURIComponent(TOKEN));
    expect(all).not.toContain(TOKEN.split(':')[1]);
    expect(all).not.toContain(SALT);
    expect(all).not.toContain('abcdefghijkl');
  });

  it('masks secret-looking flags and pairs in command lines and env values', () => {
    expect(c.config.cmd).toEqual([
      '--salt-value',
      REDACTED,
      `--password=${REDACTED}`,
      '-p',
      REDACTED,
      `--db-url=${REDACTED}`,
      '--port',
      '80',
    ]);
    const env = Object.fromEntries(c.config.env.map((p) => [p.key, p.value]));
    expect(env.OPTS).toBe(`--password=${REDACTED} --verbose`);
    expect(env.CREDS).toBe(REDACTED);
    expect(env.MODE).toBe('prod');
  });

  it('strips escape sequences, other control characters and bidi overrides', () => {
    const esc = c.config.env.find((p) => p.key === 'ESC')?.value;
    expect(esc).toBe('aredb c');
  });

  it('masks URL credentials, --flag value and JSON pairs in log text', () => {
    const r = redaction();
    const out = r.log(
      'run --token abcdef123 ok\n{"password": "x y"}\nhttp://u:p@h/ mysql -p hunter2',
    );
    expect(out).toBe(
      `run --token ${REDACTED} ok\n{"password": "${REDACTED}"}\nhttp://u:${REDACTED}@h/ mysql -p ${REDACTED}`,
    );
  });

  it('is idempotent', () => {
    const r = redaction();
    expect(r.container(c)).toEqual(c);
    const text = `a=1 password=x --secret y ${TOKEN}`;
    expect(r.log(r.log(text))).toBe(r.log(text));
  });
});

describe('containerForViewer', () => {
  it('shows a non-admin environment names only and no command line', () => {
    const v = containerForViewer(base, false);
    expect(v.config.env.every((p) => p.value === ADMIN_ONLY)).toBe(true);
    expect(v.config.env.map((p) => p.key)).toContain('PLAIN');
    expect(v.config.cmd).toEqual([ADMIN_ONLY]);
    expect(v.config.entrypoint).toEqual([ADMIN_ONLY]);
    expect(v.lastHealthCheck?.output).toBe(ADMIN_ONLY);
    expect(containerForViewer(base, true)).toBe(base);
  });
});
