/**
 * The SSE FrameWriter: frames become `event:`/`data:` records on a web ReadableStream,
 * `bufferedAmount` counts bytes the client has not taken, a normal close lets the client read the
 * rest, a stall tears the body down, and a cancelled body (the client left) reads as closed.
 */
import { describe, expect, it } from "vitest";
import { createStreamingChannel } from "./channel.ts";
import { createSseStream, SSE_HEADERS } from "./sse.ts";

const decoder = new TextDecoder();

async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  let text = "";
  for (let read = await reader.read(); !read.done; read = await reader.read())
    text += decoder.decode(read.value);
  return text;
}

describe("createSseStream", () => {
  it("writes each frame as an SSE event named by its type", async () => {
    const { body, writer } = createSseStream();
    writer.write('{"type":"chunk","content":"hé"}', "chunk");
    writer.write('{"type":"stream_complete"}', "stream_complete");
    writer.close(1000, "done");
    expect(await readAll(body)).toBe(
      'event: chunk\ndata: {"type":"chunk","content":"hé"}\n\n' +
        'event: stream_complete\ndata: {"type":"stream_complete"}\n\n',
    );
  });

  it("bufferedAmount counts the bytes queued and not yet read", async () => {
    const { body, writer } = createSseStream();
    expect(writer.bufferedAmount).toBe(0);
    writer.write('"é"', "x"); // "event: x\n" 9 + "data: " 6 + 4 bytes of UTF-8 + "\n\n" 2
    expect(writer.bufferedAmount).toBe(21);
    writer.write("1", "x");
    expect(writer.bufferedAmount).toBe(21 + 18);
    const reader = body.getReader();
    await reader.read();
    expect(writer.bufferedAmount).toBe(18);
    await reader.read();
    expect(writer.bufferedAmount).toBe(0);
  });

  it("a normal close (1000) ends the body after what is queued, and resolves closed", async () => {
    const { body, writer, closed } = createSseStream();
    writer.write("{}", "chunk");
    writer.close(1000, "");
    expect(writer.open).toBe(false);
    await closed;
    writer.write("{}", "ignored"); // a write after the end is dropped, not an error
    writer.close(1008, "again"); // and so is a second close
    expect(await readAll(body)).toBe("event: chunk\ndata: {}\n\n");
  });

  it("any other close tears the body down: a client that does not read never drains it", async () => {
    const { body, writer, closed } = createSseStream();
    writer.write("{}", "chunk");
    writer.close(1008, "Client too slow");
    await closed;
    expect(writer.bufferedAmount).toBe(0);
    await expect(body.getReader().read()).rejects.toThrow("Stream closed by the server");
  });

  it("a cancelled body (the client went away) closes the writer", async () => {
    const { body, writer, closed } = createSseStream();
    expect(writer.open).toBe(true);
    await body.cancel();
    await closed;
    expect(writer.open).toBe(false);
    expect(() => writer.write("{}", "chunk")).not.toThrow();
  });

  it("carries a streaming channel's frames, and its headers turn off proxy buffering", async () => {
    const { body, writer } = createSseStream();
    const channel = createStreamingChannel(writer, { requestId: "r" });
    channel.send("hi");
    channel.complete();
    writer.close(1000, "");
    expect(await readAll(body)).toBe(
      'event: chunk\ndata: {"type":"chunk","requestId":"r","seq":1,"content":"hi"}\n\n' +
        'event: stream_complete\ndata: {"type":"stream_complete","requestId":"r","status":"completed"}\n\n',
    );
    expect(SSE_HEADERS).toEqual({
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
  });
});
