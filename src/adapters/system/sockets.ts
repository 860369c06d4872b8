import type { HostFs } from './host-fs';
import { parseSocketStates, parseSockstat, TCP_STATES } from './proc-parsers';
import type { ConnectionSummary } from './system-port';

/** Above this many sockets the tables are not listed (100,000 take the kernel ~0.5 s of CPU to print). */
const SOCKET_TABLE_LIMIT = 20_000;

/** TCP and UDP sockets by state: the full tables, or the sockstat summary when they are huge. */
export async function readConnections(fs: HostFs): Promise<ConnectionSummary> {
  const summary = socketSummary(fs);
  if (summary !== undefined && summary.total > SOCKET_TABLE_LIMIT) return summary;
  const tcpByState: Record<string, number> = {};
  let tcp = 0;
  let udp = 0;
  // Streamed: a busy host's socket tables run to megabytes and take the kernel a while to produce.
  const read = await Promise.all([
    ...['proc/net/tcp', 'proc/net/tcp6'].map((f) =>
      fs.streamLines(f, (text) => {
        for (const st of parseSocketStates(text)) {
          const name = TCP_STATES[st] ?? `0x${st}`;
          tcpByState[name] = (tcpByState[name] ?? 0) + 1;
          tcp++;
        }
      }),
    ),
    ...['proc/net/udp', 'proc/net/udp6'].map((f) =>
      fs.streamLines(f, (text) => (udp += parseSocketStates(text).length)),
    ),
  ]);
  if (!read.some(Boolean)) throw new Error('/proc/net socket tables are unreadable');
  return { total: tcp + udp, tcp, udp, tcpByState, detailed: true };
}

/** Socket counts from /proc/net/sockstat{,6}: constant cost however many sockets exist. */
function socketSummary(fs: HostFs): ConnectionSummary | undefined {
  const v4 = fs.tryReadSync('proc/net/sockstat');
  if (v4 === undefined) return undefined;
  const s = {
    ...parseSockstat(v4),
    ...parseSockstat(fs.tryReadSync('proc/net/sockstat6') ?? ''),
  };
  const timeWait = s.TCP?.tw ?? 0;
  const otherTcp = (s.TCP?.inuse ?? 0) + (s.TCP6?.inuse ?? 0);
  const udp = (s.UDP?.inuse ?? 0) + (s.UDP6?.inuse ?? 0);
  return {
    total: timeWait + otherTcp + udp,
    tcp: timeWait + otherTcp,
    udp,
    tcpByState: { TIME_WAIT: timeWait, OTHER: otherTcp },
    detailed: false,
  };
}
