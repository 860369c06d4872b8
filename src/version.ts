/** tmbot's version; a unit test keeps it equal to package.json. */
export const APP_VERSION = '0.4.0';

/** Newest config format this build reads (tmbot continues pyTMBot's numbering: 0.3.x files are older). */
export const CONFIG_FORMAT_VERSION = APP_VERSION;

export const PROJECT_URL = 'https://github.com/tmbot/tmbot';

/** Dotted version compare; a pre-release ("0.3.0-dev") sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const [aMain = '', aPre] = a.split('-', 2);
  const [bMain = '', bPre] = b.split('-', 2);
  const pa = aMain.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = bMain.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (aPre === undefined && bPre !== undefined) return 1;
  if (aPre !== undefined && bPre === undefined) return -1;
  return 0;
}
