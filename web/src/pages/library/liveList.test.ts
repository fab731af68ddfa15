import { describe, expect, it } from "vitest";

import type { Job, SamplePage, UploadAccepted } from "../../api/types";
import { readFilters } from "./filters";
import { provisionalSample, showsNewSamples, withJob, withSample } from "./liveList";

const accepted: UploadAccepted = {
  sample_id: "s1",
  job_id: "j1",
  status: "pending",
  filename: "Dusty  Tone.wav",
  estimated_completion: null,
  size_bytes: 1000,
  sha256: "0".repeat(64),
  format: "wav",
  duration: 1,
};
const empty: SamplePage = { samples: [], total: 0, limit: 20, offset: 0 };

describe("the library list between reads", () => {
  it("shows an accepted upload as the server will list it", () => {
    const row = provisionalSample(accepted, "Dusty  Tone.wav", " Drums, dusty,,drums ");
    expect(row).toMatchObject({ id: "s1", title: "Dusty Tone", filename: "Dusty  Tone.wav", status: "pending" });
    expect(row.tags).toEqual(["drums", "dusty"]);
  });

  it("adds each upload once, on top, and counts it", () => {
    const row = provisionalSample(accepted, "a.wav", "");
    const once = withSample(empty, row);
    expect(once.total).toBe(1);
    expect(withSample(once, row)).toBe(once);
  });

  it("moves a row's status with its analysis job", () => {
    const page = withSample(empty, provisionalSample(accepted, "a.wav", ""));
    const job: Job = { id: "j1", sample_id: "s1", status: "running", progress: 0.5, last_error: null };
    expect(withJob(page, job).samples[0].status).toBe("processing");
    expect(withJob(page, { ...job, status: "done" }).samples[0].status).toBe("ready");
    expect(withJob(page, { ...job, sample_id: "other" })).toBe(page);
  });

  it("adds new rows only to the unfiltered first page", () => {
    expect(showsNewSamples(readFilters(new URLSearchParams("")))).toBe(true);
    expect(showsNewSamples(readFilters(new URLSearchParams("page=2")))).toBe(false);
    expect(showsNewSamples(readFilters(new URLSearchParams("q=kick")))).toBe(false);
  });
});
