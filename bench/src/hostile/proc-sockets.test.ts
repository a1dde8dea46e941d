import { expect, it } from "vitest";
import { parseProcNetTcp, socketInodes } from "./proc-sockets.ts";

it("parses /proc/net/tcp rows: ports, state name and inode", () => {
  const text = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 0100007F:075B 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 7338 1 00000000d4e6e8fe 100 0 0 10 0",
    "   1: 0100007F:9C40 0100007F:D431 08 00000000:00000000 00:00000000 00000000  1000        0 424242 1 0000000000000000 20 4 0 10 -1",
    "",
  ].join("\n");
  expect(parseProcNetTcp(text)).toEqual([
    { localPort: 1883, remotePort: 0, state: "LISTEN", inode: 7338 },
    { localPort: 40000, remotePort: 54321, state: "CLOSE_WAIT", inode: 424242 },
  ]);
});

it("parses tcp6 rows and keeps a state it does not know as its hex", () => {
  const row =
    "   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C350 0C 00000000:00000000 00:00000000 00000000  1000        0 99 1 0 20 4 0 10 -1";
  expect(parseProcNetTcp(`header\n${row}`)).toEqual([
    { localPort: 8080, remotePort: 50000, state: "0C", inode: 99 },
  ]);
});

it("takes the socket inodes of fd links and nothing else", () => {
  const links = ["socket:[12]", "pipe:[13]", "/dev/null", "anon_inode:[eventpoll]", "socket:[7]"];
  expect([...socketInodes(links)]).toEqual([12, 7]);
});
