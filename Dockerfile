# tmbot container image (docs/installation.md#container).
#
#   docker build -t tmbot .
#   docker build --build-arg BASE_IMAGE=node:24-alpine@sha256:<digest> -t tmbot .   # pin the base
#
# Two stages: `build` compiles TypeScript and prunes dev dependencies; the final stage gets only
# node (from the base image), a static tini, the compiled code, runtime dependencies and the config
# schema. Nothing in the final stage runs a shell: ENTRYPOINT and HEALTHCHECK are exec form, so a
# shell-less base works too. The process runs as uid/gid 10001 ("tmbot"), which is in no other
# group; give it the Docker socket's group at run time with --group-add.

ARG BUILD_IMAGE=node:24-alpine
ARG BASE_IMAGE=node:24-alpine

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
# A static tini needs no libraries or package manager in the final stage. Images that already
# carry tini-static (an offline stand-in) skip the download.
RUN if ! command -v tini-static >/dev/null 2>&1; then apk add --no-cache tini-static; fi \
 && mkdir -p /out/etc /out/sbin /out/state \
 && cp "$(command -v tini-static)" /out/sbin/tini \
 && chmod 0755 /out/sbin/tini \
 && chmod 0700 /out/state \
 && { grep -v '^tmbot:' /etc/passwd 2>/dev/null || true; } >/out/etc/passwd \
 && echo 'tmbot:x:10001:10001:tmbot:/nonexistent:/sbin/nologin' >>/out/etc/passwd \
 && { grep -v '^tmbot:' /etc/group 2>/dev/null || true; } >/out/etc/group \
 && echo 'tmbot:x:10001:' >>/out/etc/group
COPY package.json package-lock.json ./
# Local packages the lockfile links (packages/node-fetch-lite stands in for telegraf's node-fetch).
COPY packages ./packages
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY config ./config
# The chart font (DejaVu Sans, assets/fonts/DejaVu-LICENSE.txt): charts never depend on system fonts.
COPY assets ./assets
# A fresh runtime-only install from the local npm cache is faster than `npm prune --omit=dev`.
RUN npm run build --silent \
 && chmod 0755 dist/main.js \
 && rm -rf node_modules \
 && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error \
 && mkdir -p /out/app /out/bin \
 && cp -R dist node_modules packages config assets package.json /out/app/ \
 && ln -s /opt/tmbot/dist/main.js /out/bin/tmbot

FROM ${BASE_IMAGE}
COPY --from=build /out/etc/passwd /out/etc/group /etc/
COPY --from=build /out/sbin/tini /sbin/tini
COPY --from=build /out/app /opt/tmbot
# `docker exec tmbot tmbot totp reset …` (the script starts with #!/usr/bin/env node).
COPY --from=build /out/bin/ /usr/local/bin/
# Owned by tmbot and 0700: the state dir when nothing is mounted there. Read-only deployments
# mount a tmpfs (uid=10001,gid=10001,mode=0700) or a volume on it.
COPY --from=build --chown=10001:10001 /out/state /var/lib/tmbot
ENV NODE_ENV=production \
    TMBOT_STATE_DIR=/var/lib/tmbot \
    PYTMBOT_CONFIG_PATH=/etc/tmbot/pytmbot.yaml
WORKDIR /opt/tmbot
USER 10001:10001
STOPSIGNAL SIGTERM
# Exit 0 while the heartbeat the bot writes every 15 s is fresh and healthy or degraded (docs/health.md).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "--disable-sigusr1", "/opt/tmbot/dist/main.js", "--health-check"]
# --disable-sigusr1: SIGUSR1 must not open an inspector (code execution with the token and socket).
# --max-semi-space-size=1: ~5 MiB less idle memory, /start latency unchanged (docs/performance.md).
ENTRYPOINT ["/sbin/tini", "--", "node", "--disable-sigusr1", "--max-semi-space-size=1", "/opt/tmbot/dist/main.js"]
