/**
 * The TCP sockets one process holds, by state, from /proc: its fds that are `socket:[inode]`,
 * matched against /proc/<pid>/net/tcp and tcp6 (which list the whole network namespace).
 */
import { readdirSync, readlinkSync, readFileSync } from "node:fs";

/** The states of proc(5)'s `st` column (include/net/tcp_states.h). */
const STATES: Record<string, string> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
};

/** One row of /proc/net/tcp. */
export interface TcpSocket {
  localPort: number;
  remotePort: number;
  state: string;
  inode: number;
}

/** Parses the text of /proc/net/tcp or tcp6 (a header line, then one socket per line). */
export function parseProcNetTcp(text: string): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const port = (address: string) => parseInt(address.slice(address.lastIndexOf(":") + 1), 16);
    const st = fields[3]!.toUpperCase();
    sockets.push({
      localPort: port(fields[1]!),
      remotePort: port(fields[2]!),
      state: STATES[st] ?? st,
      inode: Number(fields[9]),
    });
  }
  return sockets;
}

/** The socket inodes among `/proc/<pid>/fd`'s links (`socket:[123]`). */
export function socketInodes(links: readonly string[]): Set<number> {
  const inodes = new Set<number>();
  for (const link of links) {
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode !== undefined) inodes.add(Number(inode));
  }
  return inodes;
}

/** Counts the TCP sockets process `pid` holds, by state (LISTEN included); {} where unreadable. */
export function processTcpStates(pid: number): Record<string, number> {
  const counts: Record<string, number> = {};
  try {
    const links = readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return ""; // closed meanwhile
      }
    });
    const mine = socketInodes(links);
    for (const table of ["tcp", "tcp6"]) {
      for (const socket of parseProcNetTcp(readFileSync(`/proc/${pid}/net/${table}`, "utf8"))) {
        if (mine.has(socket.inode)) counts[socket.state] = (counts[socket.state] ?? 0) + 1;
      }
    }
  } catch {
    // The process has gone.
  }
  return counts;
}
