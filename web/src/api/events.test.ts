import { describe, expect, it } from "vitest";

import { reconnectDelay, SseParser } from "./events";

describe("reading the job event stream", () => {
  it("splits events on blank lines and reads event, data and id", () => {
    const parser = new SseParser();
    const events = parser.push('event: job\nid: 7\ndata: {"id":"a"}\n\nevent: job\ndata: {"id":"b"}\n\n');
    expect(events).toEqual([
      { type: "job", data: '{"id":"a"}', lastEventId: "7" },
      { type: "job", data: '{"id":"b"}', lastEventId: "7" },
    ]);
    expect(parser.lastEventId).toBe("7");
  });

  it("waits for the rest of an event split across chunks, even inside a line", () => {
    const parser = new SseParser();
    expect(parser.push("event: jo")).toEqual([]);
    expect(parser.push('b\ndata: {"id"')).toEqual([]);
    expect(parser.push(':"a"}\n')).toEqual([]);
    expect(parser.push("\n")).toEqual([{ type: "job", data: '{"id":"a"}', lastEventId: "" }]);
  });

  it("accepts CRLF and CR line ends, also when a CRLF is split between chunks", () => {
    const parser = new SseParser();
    expect(parser.push("data: one\r")).toEqual([]);
    expect(parser.push("\n\r\ndata: two\r\r")).toEqual([{ type: "message", data: "one", lastEventId: "" }]);
    // The last CR may be the first half of a CRLF: the blank line is only known with what follows.
    expect(parser.push("\n")).toEqual([{ type: "message", data: "two", lastEventId: "" }]);
  });

  it("joins multi-line data with newlines and strips only one leading space", () => {
    const parser = new SseParser();
    expect(parser.push("data:first\ndata:  second\ndata\n\n")).toEqual([
      { type: "message", data: "first\n second\n", lastEventId: "" },
    ]);
  });

  it("ignores comments (the keep-alive), unknown fields and events without data", () => {
    const parser = new SseParser();
    expect(parser.push(": keep-alive\n\nfoo: bar\n\nevent: job\n\n")).toEqual([]);
    // The event name of a data-less block does not leak into the next event.
    expect(parser.push("data: x\n\n")).toEqual([{ type: "message", data: "x", lastEventId: "" }]);
  });

  it("remembers the server's retry delay and refuses ids holding NUL", () => {
    const parser = new SseParser();
    parser.push("retry: 2000\n\nretry: soon\n\nid: 5\n\nid: bad\0id\n\n");
    expect(parser.retryMs).toBe(2000);
    expect(parser.lastEventId).toBe("5");
  });

  it("forgets a half-read event after a reconnect but keeps the last id", () => {
    const parser = new SseParser();
    parser.push("id: 9\ndata: complete\n\ndata: half");
    parser.reset();
    expect(parser.push("data: fresh\n\n")).toEqual([{ type: "message", data: "fresh", lastEventId: "9" }]);
  });
});

describe("reconnecting", () => {
  const middle = () => 0.5;

  it("comes back after the server's retry delay when the stream simply ended", () => {
    expect(reconnectDelay(0, 2000, middle)).toBe(2000);
    expect(reconnectDelay(0, null, middle)).toBe(2000);
  });

  it("waits twice as long after each failure in a row, never more than 30 s", () => {
    expect(reconnectDelay(1, 1000, middle)).toBe(1000);
    expect(reconnectDelay(2, 1000, middle)).toBe(2000);
    expect(reconnectDelay(3, 1000, middle)).toBe(4000);
    expect(reconnectDelay(20, 1000, middle)).toBe(30_000);
    expect(reconnectDelay(20, 1000, () => 1)).toBeLessThanOrEqual(36_000);
  });
});
