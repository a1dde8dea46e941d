/**
 * A real `ws` client for the consumer test: the handshake's outcome (frames, or the refusal's
 * HTTP status and JSON body), and the frames of one `stream` request up to its terminal frame.
 */
import { WebSocket } from "ws";

export type Frame = Record<string, unknown> & { type: string };

/** A handshake's outcome: an open socket with its first frame, or a refusal. */
export interface Handshake {
  socket?: WebSocket;
  frames: Frame[];
  status?: number;
  body?: unknown;
}

/** Opens `url`; resolves on the first frame, or with the status and body of a refusal. */
export function connect(url: string): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const frames: Frame[] = [];
    socket.once("message", (data) => {
      frames.push(JSON.parse(String(data)) as Frame);
      resolve({ socket, frames });
    });
    socket.once("unexpected-response", (_request, response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += String(chunk)));
      response.on("end", () =>
        resolve({ frames, status: response.statusCode, body: JSON.parse(text) }),
      );
    });
    socket.once("error", (error) => {
      if (frames.length === 0) reject(error);
    });
  });
}

/** Sends `stream {prompt}` as request `r1`; resolves with its frames once the terminal one arrives. */
export async function streamFrames(url: string, prompt: string): Promise<Frame[]> {
  const { socket } = await connect(url);
  if (!socket) throw new Error(`${url} refused the handshake`);
  return new Promise((resolve) => {
    const frames: Frame[] = [];
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.requestId !== "r1") return;
      frames.push(frame);
      if (frame.type === "stream_complete" || frame.type === "error") {
        socket.close();
        resolve(frames);
      }
    });
    socket.send(JSON.stringify({ type: "stream", requestId: "r1", payload: { prompt } }));
  });
}
