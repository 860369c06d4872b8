#!/usr/bin/env bash
# A private Docker Engine for tests (see /work/shared/TESTING.md "A real Docker Engine").
#
#   scripts/docker-engine.sh start  [RUN_DIR]   start containerd + dockerd under RUN_DIR, build
#                                               local/busybox:test, print the socket path on stdout
#   scripts/docker-engine.sh stop   [RUN_DIR]   stop what `start` started there (by pid), unmount, remove RUN_DIR
#   scripts/docker-engine.sh status [RUN_DIR]   exit 0 and print the socket path if the engine answers
#   scripts/docker-engine.sh image  SOCKET      (re)build local/busybox:test on an existing engine
#   scripts/docker-engine.sh dockerd-stop  RUN_DIR   stop only dockerd (containerd, data and RUN_DIR stay)
#   scripts/docker-engine.sh dockerd-kill  RUN_DIR   SIGKILL only dockerd (a crash: containers keep running)
#   scripts/docker-engine.sh dockerd-start RUN_DIR   start dockerd again on the same data: an engine restart
#
# Everything lives under RUN_DIR (default $TMBOT_DOCKER_RUN_DIR or /tmp/tmbot-docker): socket,
# data-root, exec-root, pidfiles, logs, and a containerd of its own, so a system-wide Docker or
# containerd (e.g. the one `apt-get install docker.io` starts on a systemd CI box) is never used.
#
# Environment:
#   TMBOT_DOCKER_STORAGE_DRIVER   force a storage driver (default: dockerd's choice, vfs if that fails)
#   TMBOT_DOCKER_START_TIMEOUT    seconds to wait for the engine to answer (default 60)
#   TMBOT_DOCKER_OWNER_PID        stop the engine by itself once this pid is gone (jest killed with ^C)
#   TMBOT_BUSYBOX                 static busybox to put in the image (default /bin/busybox)
#   TMBOT_DOCKER_CPU_CORES        cap the engine and its containers at this many cores (cgroup
#                                 CPU quota; benchmarks: the load they make the engine generate
#                                 must leave the measured process a core)
# Progress goes to stderr; stdout carries only the socket path, so callers can capture it.
set -euo pipefail

readonly IMAGE='local/busybox:test'
readonly MARKER='.tmbot-docker-engine'
SELF="$(cd "$(dirname "$0")" && pwd -P)/$(basename "$0")"
readonly SELF

log() { printf '[docker-engine] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
now_ms() { date +%s%3N; }

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd="${1:-}"
[ -n "$cmd" ] || usage

if [ "$cmd" = image ]; then
  [ -n "${2:-}" ] || usage
  RUN=''
  SOCK="$2"
else
  RUN="${2:-${TMBOT_DOCKER_RUN_DIR:-/tmp/tmbot-docker}}"
  [ "$cmd" != start ] || mkdir -p "$RUN"
  # Absolute and canonical: the path is matched against /proc/*/cmdline and /proc/mounts.
  if [ -d "$RUN" ]; then RUN="$(cd "$RUN" && pwd -P)"; fi
  case "$RUN" in /*) ;; *) die "RUN_DIR must be absolute or exist: $RUN" ;; esac
  SOCK="$RUN/docker.sock"
fi
CTRD_DIR="$RUN/containerd"
CTRD_SOCK="$CTRD_DIR/containerd.sock"

# Unique per run dir: two runs may use the same basename under different parents.
cgroup_name() { printf 'tmbot-%s-%s' "$(basename "$RUN")" "$(printf '%s' "$RUN" | md5sum | cut -c1-8)"; }

docker_cli() { docker -H "unix://$SOCK" "$@"; }

# True if pid $1 is alive and its command line mentions $2 (guards against pid reuse).
pid_is() {
  local pid="$1" needle="$2" cmdline
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$needle"* ]]
}

read_pid() { [ -s "$1" ] && tr -dc '0-9' <"$1" || true; }

# A zombie counts as gone: our daemons are reparented to pid 1, which may reap them late.
alive() {
  local state=''
  kill -0 "$1" 2>/dev/null || return 1
  read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null || return 1
  [ "$state" != Z ]
}

# SIGTERM, wait up to $2 seconds, then SIGKILL. Only the given pid.
stop_pid() {
  local pid="$1" secs="$2" what="$3" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < secs * 10; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  log "$what (pid $pid) did not stop in ${secs}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
}

engine_answers() { docker_cli info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

dockerd_pid() {
  local pid
  pid="$(read_pid "$RUN/docker.pid")"
  if pid_is "$pid" "$SOCK"; then echo "$pid"; fi
}

# --- image ------------------------------------------------------------------------------------

check_busybox() {
  [ -x "$1" ] || die "$1 not found: apt-get install busybox-static"
  # The image has no libc: a dynamically linked busybox (Debian's `busybox`) cannot run in it.
  if ldd "$1" >/dev/null 2>&1; then die "$1 is dynamically linked: apt-get install busybox-static"; fi
  local list
  # Captured first: `grep -q` closing the pipe early would fail the pipeline under pipefail.
  list="$("$1" --list 2>/dev/null)" || die "$1 --list failed: is it busybox?"
  grep -qx sh <<<"$list" || die "$1 is not a busybox with an sh applet"
}

# Runs inside `||` contexts where set -e is off, so every step checks its own status.
build_image() {
  local busybox="${TMBOT_BUSYBOX:-/bin/busybox}" rootfs t0 applet applets rc=0
  check_busybox "$busybox"
  applets="$("$busybox" --list)" || return 1
  t0="$(now_ms)"
  rootfs="$(mktemp -d "${TMPDIR:-/tmp}/tmbot-busybox-rootfs.XXXXXX")" || return 1
  {
    mkdir -p "$rootfs"/{bin,etc,tmp,root,var/tmp} &&
      chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp" &&
      cp "$busybox" "$rootfs/bin/busybox" &&
      printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd" &&
      printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  } || rc=1
  # Every applet this busybox has (sh, sleep, echo, cat, top, wget, nc, ps, …) as a symlink.
  if [ "$rc" = 0 ]; then
    for applet in $applets; do
      [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet" || rc=1
    done
  fi
  if [ "$rc" = 0 ]; then
    tar -C "$rootfs" --numeric-owner -c . |
      docker_cli import \
        -c 'ENV PATH=/bin' \
        -c 'CMD ["/bin/sh"]' \
        -c 'LABEL org.opencontainers.image.title=tmbot-test-busybox' \
        - "$IMAGE" >/dev/null || rc=1
  fi
  rm -rf "$rootfs"
  if [ "$rc" != 0 ]; then
    log "could not build $IMAGE"
    return 1
  fi
  log "image $IMAGE imported in $(($(now_ms) - t0)) ms"
}

# A container must really start: catches a storage driver that initialises but cannot mount,
# and a dynamically linked busybox.
smoke_test() {
  local out
  out="$(docker_cli run --rm --network none "$IMAGE" /bin/echo tmbot-ok 2>&1)" && [ "$out" = tmbot-ok ] && return 0
  log "smoke test container failed: $out"
  return 1
}

# --- start ------------------------------------------------------------------------------------

write_configs() {
  mkdir -p "$CTRD_DIR/root" "$CTRD_DIR/state" "$RUN/data" "$RUN/exec"
  chmod 0700 "$RUN"
  # An empty daemon.json so /etc/docker/daemon.json (hosts, data-root, …) cannot interfere.
  echo '{}' >"$RUN/daemon.json"
  cat >"$CTRD_DIR/config.toml" <<EOF
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
# dockerd needs none of the CRI plugin; Debian builds it in.
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTRD_SOCK"
[ttrpc]
  address = "$CTRD_SOCK.ttrpc"
[debug]
  address = "$CTRD_DIR/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD_DIR/opt"
EOF
}

# With TMBOT_DOCKER_CPU_CORES set, moves this shell into <cgroup-parent>/engine under a CPU
# quota of that many cores: containerd and dockerd started from here inherit it, and containers
# go under the same capped parent (--cgroup-parent).
cap_cpu() {
  local cores="${TMBOT_DOCKER_CPU_CORES:-}" parent quota
  [ -n "$cores" ] || return 0
  [[ "$cores" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "TMBOT_DOCKER_CPU_CORES must be a number of cores, not $cores"
  quota="$(awk -v c="$cores" 'BEGIN { printf "%d", c * 100000 }')"
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    parent="/sys/fs/cgroup/$(cgroup_name)"
    grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
    mkdir -p "$parent/engine"
    echo "$quota 100000" >"$parent/cpu.max"
  else
    parent="/sys/fs/cgroup/cpu/$(cgroup_name)"
    [ -d /sys/fs/cgroup/cpu ] || die "no cgroup cpu controller to cap the engine with"
    mkdir -p "$parent/engine"
    echo 100000 >"$parent/cpu.cfs_period_us"
    echo "$quota" >"$parent/cpu.cfs_quota_us"
  fi
  echo "$BASHPID" >"$parent/engine/cgroup.procs"
  log "engine capped at $cores cores ($parent)"
}

start_containerd() {
  local pid i
  pid="$(read_pid "$CTRD_DIR/containerd.pid")"
  if pid_is "$pid" "$CTRD_DIR/config.toml"; then return 0; fi
  rm -f "$CTRD_SOCK"
  # setsid: a ^C in the developer's terminal must not kill the engine before teardown runs.
  setsid containerd --config "$CTRD_DIR/config.toml" </dev/null >"$RUN/containerd.log" 2>&1 &
  pid=$!
  disown "$pid"
  echo "$pid" >"$CTRD_DIR/containerd.pid"
  for ((i = 0; i < 100; i++)); do
    [ -S "$CTRD_SOCK" ] && return 0
    alive "$pid" || break
    sleep 0.1
  done
  tail -n 30 "$RUN/containerd.log" >&2 || true
  die "containerd did not come up (log: $RUN/containerd.log)"
}

start_dockerd() {
  local driver="$1" timeout="${TMBOT_DOCKER_START_TIMEOUT:-60}" pid i
  local -a args=(
    --config-file "$RUN/daemon.json"
    --host "unix://$SOCK"
    --data-root "$RUN/data"
    --exec-root "$RUN/exec"
    --pidfile "$RUN/docker.pid"
    --containerd "$CTRD_SOCK"
    # No bridge and no iptables/sysctl changes: tests run containers with --network none.
    --iptables=false --ip-forward=false --ip-masq=false --bridge=none
    # Tests push to a registry on loopback over plain HTTP.
    --insecure-registry 127.0.0.0/8
    # cgroupfs with a parent of our own keeps containers out of a system dockerd's cgroups.
    --exec-opt native.cgroupdriver=cgroupfs
    --cgroup-parent "/$(cgroup_name)"
    # Tests' containers ignore SIGTERM as pid 1; a per-container StopTimeout may still be longer.
    --shutdown-timeout 3
  )
  [ -z "$driver" ] || args+=(--storage-driver "$driver")
  log "dockerd ${args[*]}"
  setsid dockerd "${args[@]}" </dev/null >"$RUN/dockerd.log" 2>&1 &
  pid=$!
  disown "$pid"
  echo "$pid" >"$RUN/dockerd.launch.pid"
  for ((i = 0; i < timeout * 10; i++)); do
    if engine_answers; then return 0; fi
    if ! alive "$pid"; then
      log "dockerd exited during startup; last lines of $RUN/dockerd.log:"
      tail -n 30 "$RUN/dockerd.log" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  log "dockerd did not answer within ${timeout}s; last lines of $RUN/dockerd.log:"
  tail -n 30 "$RUN/dockerd.log" >&2 || true
  stop_pid "$pid" 10 dockerd
  return 1
}

# Starts the engine on a driver; 0 when it answers and runs a container.
try_engine() {
  local driver="$1"
  start_dockerd "$driver" || return 1
  build_image && smoke_test && return 0
  stop_pid "$(read_pid "$RUN/dockerd.launch.pid")" 10 dockerd
  return 1
}

start_watchdog() {
  local owner="${TMBOT_DOCKER_OWNER_PID:-}"
  [ -n "$owner" ] || return 0
  kill -0 "$owner" 2>/dev/null || die "TMBOT_DOCKER_OWNER_PID=$owner is not running"
  # Stops the engine if the test runner dies without its teardown (SIGKILL, ^C).
  setsid bash -c '
    while kill -0 "$1" 2>/dev/null && [ -e "$3/'"$MARKER"'" ]; do sleep 2; done
    [ -e "$3/'"$MARKER"'" ] && TMBOT_DOCKER_WATCHDOG=1 "$2" stop "$3"
  ' tmbot-docker-watchdog "$owner" "$SELF" "$RUN" </dev/null >>"$RUN/watchdog.log" 2>&1 &
  echo $! >"$RUN/watchdog.pid"
  disown $!
}

cmd_start() {
  local t0 driver
  t0="$(now_ms)"
  [ "$(id -u)" = 0 ] || die "dockerd needs root (uid $(id -u))"
  for bin in dockerd containerd docker setsid; do
    command -v "$bin" >/dev/null || die "$bin not found: apt-get install docker.io"
  done
  check_busybox "${TMBOT_BUSYBOX:-/bin/busybox}"
  if [ -n "$(dockerd_pid)" ] && engine_answers; then
    log "already running in $RUN"
    echo "$SOCK"
    return 0
  fi
  touch "$RUN/$MARKER"
  trap start_failed EXIT
  write_configs
  cap_cpu
  start_containerd
  driver="${TMBOT_DOCKER_STORAGE_DRIVER:-}"
  if ! try_engine "$driver"; then
    [ -z "$driver" ] || die "engine failed on storage driver $driver (log: $RUN/dockerd.log)"
    # overlay2 fails on some backing filesystems (overlay-on-overlay, tmpfs on old kernels).
    log "retrying with --storage-driver vfs"
    cleanup_mounts
    rm -rf "$RUN/data" "$RUN/exec"
    mkdir -p "$RUN/data" "$RUN/exec"
    try_engine vfs || die "engine failed on vfs too (log: $RUN/dockerd.log)"
  fi
  docker_cli info --format '{{.Driver}}' >"$RUN/storage-driver"
  start_watchdog
  trap - EXIT
  log "engine up in $(($(now_ms) - t0)) ms: socket $SOCK, storage driver $(cat "$RUN/storage-driver"), dockerd pid $(read_pid "$RUN/docker.pid")"
  echo "$SOCK"
}

# --- engine restart (tests of event-stream reconnection) --------------------------------------

# $1 = stop: SIGTERM, dockerd stops its containers itself (--shutdown-timeout) as on a real engine
# restart; kill: SIGKILL, a crash, containerd keeps the containers running until dockerd returns.
cmd_dockerd_down() {
  local pid i
  [ -e "$RUN/$MARKER" ] || die "no engine in $RUN"
  pid="$(dockerd_pid)"
  [ -n "$pid" ] || die "dockerd is not running in $RUN"
  if [ "$1" = kill ]; then
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do alive "$pid" || break; sleep 0.1; done
  else
    stop_pid "$pid" 30 dockerd
  fi
  if [ "$1" = kill ]; then log "dockerd killed in $RUN"; else log "dockerd stopped in $RUN"; fi
}

cmd_dockerd_start() {
  local pid
  [ -e "$RUN/$MARKER" ] || die "no engine in $RUN"
  if [ -n "$(dockerd_pid)" ] && engine_answers; then die "dockerd is already running in $RUN"; fi
  # A killed dockerd leaves its pidfile, and dockerd refuses it while the pid is an unreaped zombie.
  pid="$(read_pid "$RUN/docker.pid")"
  if [ -n "$pid" ] && ! alive "$pid"; then rm -f "$RUN/docker.pid"; fi
  cap_cpu
  start_containerd
  # The driver it ran on: dockerd's default could differ (vfs fallback) and not see the data.
  start_dockerd "$(cat "$RUN/storage-driver")" || die "dockerd did not restart (log: $RUN/dockerd.log)"
  log "dockerd restarted in $RUN"
  echo "$SOCK"
}

# --- stop -------------------------------------------------------------------------------------

cleanup_mounts() {
  local m
  # Deepest first; lazy unmount if busy, so rm -rf never walks into a live mount.
  awk -v run="$RUN/" 'index($2, run) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do
      m="$(printf '%b' "$m")"
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
    done
}

# Removes this run's cgroups, deepest first: the engine's own (cap_cpu) and what containers
# left behind. One that still holds a process stays (rmdir refuses it).
cleanup_cgroups() {
  local name d
  name="$(cgroup_name)"
  for d in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/"$name"; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

# Stops dockerd, containerd and leftover shims of this run dir, by pid, and unmounts.
stop_processes() {
  local pid proc i
  local -a ids
  if [ -z "${TMBOT_DOCKER_WATCHDOG:-}" ]; then
    pid="$(read_pid "$RUN/watchdog.pid")"
    if pid_is "$pid" tmbot-docker-watchdog; then kill "$pid" 2>/dev/null || true; fi
  fi
  pid="$(dockerd_pid)"
  [ -n "$pid" ] || { pid="$(read_pid "$RUN/dockerd.launch.pid")" && pid_is "$pid" "$SOCK" || pid=''; }
  if [ -n "$pid" ]; then
    # Tests are over: kill containers now rather than let dockerd give each its stop timeout.
    mapfile -t ids < <(timeout 10 docker -H "unix://$SOCK" ps -q 2>/dev/null || true)
    if [ "${#ids[@]}" -gt 0 ]; then timeout 20 docker -H "unix://$SOCK" kill "${ids[@]}" >/dev/null 2>&1 || true; fi
    stop_pid "$pid" 30 dockerd
  fi
  pid="$(read_pid "$CTRD_DIR/containerd.pid")"
  # Its state is deleted below anyway, and a graceful stop costs ~2 s per test run.
  if pid_is "$pid" "$CTRD_DIR/config.toml"; then
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.1; done
  fi
  # Shims outlive containerd when a container would not die; they name our containerd socket.
  for proc in $(grep -alF -- "$CTRD_SOCK" /proc/[0-9]*/cmdline 2>/dev/null || true); do
    pid="${proc#/proc/}"
    pid="${pid%/cmdline}"
    [ "$pid" != "$$" ] || continue
    log "killing leftover shim $pid"
    kill -KILL "$pid" 2>/dev/null || true
  done
  cleanup_mounts
  cleanup_cgroups
}

cmd_stop() {
  [ -e "$RUN/$MARKER" ] || {
    log "nothing to stop in $RUN"
    return 0
  }
  stop_processes
  rm -rf "$RUN"
  log "stopped and removed $RUN"
}

# EXIT trap of a failed start: stop what it started, keep only the logs.
start_failed() {
  local rc=$?
  [ "$rc" != 0 ] || return 0
  trap - EXIT
  stop_processes
  rm -rf "$RUN/data" "$RUN/exec" "$CTRD_DIR" "$RUN/$MARKER"
  log "start failed; stopped what it started; logs kept in $RUN"
  exit "$rc"
}

cmd_status() {
  local pid
  pid="$(dockerd_pid)"
  if [ -n "$pid" ] && engine_answers; then
    log "running: dockerd pid $pid, storage driver $(cat "$RUN/storage-driver" 2>/dev/null || echo '?')"
    echo "$SOCK"
    return 0
  fi
  log "not running in $RUN"
  return 1
}

case "$cmd" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  dockerd-stop) cmd_dockerd_down stop ;;
  dockerd-kill) cmd_dockerd_down kill ;;
  dockerd-start) cmd_dockerd_start ;;
  image)
    engine_answers || die "no engine answers on $SOCK"
    build_image
    ;;
  *) usage ;;
esac
