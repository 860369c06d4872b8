/** tmbot's version; a unit test keeps it equal to package.json. */
export const APP_VERSION = '0.4.0';

/** Newest config format this build reads (tmbot continues pyTMBot's numbering: 0.3.x files are older). */
export const CONFIG_FORMAT_VERSION = APP_VERSION;

export const PROJECT_URL = 'https://github.com/tmbot/tmbot';
