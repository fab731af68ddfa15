import { describe, expect, it } from "vitest";

import { isFinished, jobFromEvent } from "./useJobProgress";

describe("job events from the stream", () => {
  it("reads a job event's data", () => {
    const job = jobFromEvent({
      type: "job",
      data: '{"id": "j1", "sample_id": "s1", "kind": "analyze", "status": "running", "progress": 0.4, "attempts": 1, "last_error": null}',
      lastEventId: "",
    });
    expect(job).toEqual({ id: "j1", sample_id: "s1", status: "running", progress: 0.4, last_error: null });
    expect(job && isFinished(job)).toBe(false);
  });

  it("skips other events and data that is not a job", () => {
    expect(jobFromEvent({ type: "message", data: '{"id": "j1", "status": "done"}', lastEventId: "" })).toBeNull();
    expect(jobFromEvent({ type: "job", data: "not json", lastEventId: "" })).toBeNull();
    expect(jobFromEvent({ type: "job", data: '{"status": "done"}', lastEventId: "" })).toBeNull();
  });

  it("knows when a job will not move any more", () => {
    const job = jobFromEvent({ type: "job", data: '{"id": "j1", "status": "done", "progress": 1}', lastEventId: "" });
    expect(job && isFinished(job)).toBe(true);
  });
});
