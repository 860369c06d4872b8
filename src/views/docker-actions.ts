/**
 * Callback action names of the Docker screens, shared by the views (which put
 * them on buttons) and the feature (which routes them). Arguments travel
 * server-side behind opaque tokens; the first is always the host index.
 */
export const DOCKER_ACTION = {
  /** [host]: the overview of a host (the host picker switches with it). */
  overview: 'docker.menu',
  /** [host, page] */
  containers: 'docker.ctrs',
  /** [host, id, page]: page = the list page to go back to. */
  container: 'docker.ctr',
  volumes: 'docker.vol',
  networks: 'docker.net',
  runtime: 'docker.rt',
  /** [host, id, page, mode, session, logPage] */
  logs: 'docker.logs',
  /** [host, id, page, mode, session] */
  logFile: 'docker.logf',
  /** [host, id, page] */
  manage: 'docker.mng',
  /** [host, id, page, op]: "Are you sure?" */
  confirm: 'docker.ask',
  /** [host, id, page, op] */
  perform: 'docker.do',
  /** [host, page] */
  images: 'docker.imgs',
  /** [host, imageId, page] */
  image: 'docker.img',
  history: 'docker.hist',
  usedBy: 'docker.used',
  /** [host, 'all' | imageId, page] */
  updates: 'docker.upd',
} as const;

/** Log views a user can pick. */
export const LOG_MODES = ['tail100', 'tail500', 'hour'] as const;
export type LogMode = (typeof LOG_MODES)[number];
