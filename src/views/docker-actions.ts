import { CONTAINER_ACTIONS } from '../adapters/docker/port';
import { defineAction, field } from '../telegram/actions';

/** Log views a user can pick. */
export const LOG_MODES = ['tail100', 'tail500', 'hour'] as const;
export type LogMode = (typeof LOG_MODES)[number];

/** Most hosts a button may name; pages beyond the last are clamped by the views. */
const MAX_HOSTS = 99;
const MAX_PAGE = 999_999_999;

const host = field.int(0, MAX_HOSTS);
const page = field.int(0, MAX_PAGE);
/** Container and image ids (`sha256:…`); the adapter checks the exact shape. */
const id = field.text(/^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/);
/** A log snapshot id, or empty for "fetch a fresh one". */
const session = field.text(/^[0-9a-f]{0,32}$/);
const container = { host, id, page } as const;

/**
 * The typed actions of the Docker screens, shared by the views (which put them
 * on buttons) and the feature (which routes them). `page` is always the list
 * page to go back to. Field order is the stored order: keep it stable.
 */
export const DOCKER = {
  /** The overview of a host (the host picker switches with it). */
  overview: defineAction('docker.menu', { host }),
  containers: defineAction('docker.ctrs', { host, page }),
  container: defineAction('docker.ctr', container),
  volumes: defineAction('docker.vol', container),
  networks: defineAction('docker.net', container),
  runtime: defineAction('docker.rt', container),
  /** `logPage` pages through the snapshot `session`. */
  logs: defineAction('docker.logs', {
    ...container,
    mode: field.oneOf(LOG_MODES),
    session,
    logPage: page,
  }),
  logFile: defineAction('docker.logf', { ...container, mode: field.oneOf(LOG_MODES), session }),
  manage: defineAction('docker.mng', container),
  /** "Are you sure?" before `op`. */
  confirm: defineAction('docker.ask', { ...container, op: field.oneOf(CONTAINER_ACTIONS) }),
  perform: defineAction('docker.do', { ...container, op: field.oneOf(CONTAINER_ACTIONS) }),
  /** A page of the image list, from the list kept 30 s (pages, "All images"). */
  images: defineAction('docker.imgs', { host, page }),
  /** The image list read afresh from the engine (Refresh, the Docker menu). */
  imagesFresh: defineAction('docker.imgsf', { host, page }),
  image: defineAction('docker.img', container),
  history: defineAction('docker.hist', container),
  usedBy: defineAction('docker.used', container),
  /** `scope` is an image id or 'all'. */
  updates: defineAction('docker.upd', { host, scope: id, page }),
} as const;
