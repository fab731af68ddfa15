import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { endSession } from "../../api/client";
import { ApiError } from "../../api/errors";
import type { Sample } from "../../api/types";
import type { UploadResult } from "../../api/upload";
import {
  currentUploads,
  onBatchSettled,
  onSampleStored,
  settleBatches,
  subscribeUploads,
  uploadBatch,
  type Send,
} from "./uploadBatches";

beforeAll(() => {
  // The leave guard listens on window; the tests run in node.
  (globalThis as { window?: EventTarget }).window ??= new EventTarget();
});

afterEach(() => endSession());

function accepted(name: string, jobId: string | null = `job-${name}`): UploadResult {
  return {
    body: {
      sample_id: `sample-${name}`,
      job_id: jobId,
      status: "pending",
      filename: name,
      estimated_completion: null,
      size_bytes: 10,
      sha256: "0".repeat(64),
      format: "wav",
      duration: 1,
    },
    quotaWarning: null,
  };
}

/** A transport whose answers the test gives, one file at a time, in order. */
function heldSend(): { send: Send; answer: (outcome: UploadResult | Error) => Promise<void>; sent: string[] } {
  const waiting: ((outcome: UploadResult | Error) => void)[] = [];
  const sent: string[] = [];
  const send: Send = (file) => {
    sent.push(file.name);
    return new Promise((resolve, reject) => {
      waiting.push((outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)));
    });
  };
  const answer = async (outcome: UploadResult | Error): Promise<void> => {
    for (let tries = 0; waiting.length === 0 && tries < 50; tries += 1) await Promise.resolve();
    waiting.shift()?.(outcome);
    for (let n = 0; n < 10; n += 1) await Promise.resolve();
  };
  return { send, answer, sent };
}

const wav = (name: string) => new File([new Uint8Array(10)], name, { type: "audio/wav" });

describe("uploads kept outside the page", () => {
  it("lists a batch with its progress and tells whoever listens now of each stored file", async () => {
    const { send, answer } = heldSend();
    const done = uploadBatch([wav("first.wav"), wav("second.wav")], "drums", send);
    expect(currentUploads().items.map((item) => [item.name, item.state])).toEqual([
      ["first.wav", "uploading"],
      ["second.wav", "uploading"],
    ]);
    await answer(accepted("first.wav"));
    // The library page that started the batch is gone; another one opens and listens.
    const heard: Sample[] = [];
    const stop = onSampleStored((sample) => heard.push(sample));
    await answer(accepted("second.wav"));
    await done;
    stop();
    expect(heard.map((sample) => [sample.id, sample.title, sample.tags])).toEqual([["sample-second.wav", "second", ["drums"]]]);
    expect(currentUploads().items.map((item) => item.state)).toEqual(["stored", "stored"]);
    expect(currentUploads().report).toEqual({ stored: 2, duplicates: 0, failed: 0 });
    expect(currentUploads().waiting).toEqual([["job-first.wav", "job-second.wav"]]);
  });

  it("settles a batch once its analyses finish, and at once when it started none", async () => {
    let settled = 0;
    const stop = onBatchSettled(() => (settled += 1));
    const { send, answer } = heldSend();
    const analysed = uploadBatch([wav("a.wav")], "", send);
    await answer(accepted("a.wav"));
    await analysed;
    expect(settled).toBe(0);
    settleBatches(() => false);
    expect(settled).toBe(0);
    settleBatches((ids) => ids.includes("job-a.wav"));
    expect(settled).toBe(1);
    expect(currentUploads().waiting).toEqual([]);

    const plain = uploadBatch([wav("b.wav")], "", send);
    await answer(accepted("b.wav", null));
    await plain;
    expect(settled).toBe(2);
    stop();
  });

  it("marks the rest of a batch refused after a quota refusal, without sending them", async () => {
    const { send, answer, sent } = heldSend();
    const batch = uploadBatch([wav("one.wav"), wav("two.wav"), wav("three.wav")], "", send);
    await answer(accepted("one.wav"));
    await answer(new ApiError(429, "storage_quota_exceeded", "Storage is full"));
    await batch;
    expect(sent).toEqual(["one.wav", "two.wav"]);
    expect(currentUploads().items.map((item) => item.state)).toEqual(["stored", "failed", "failed"]);
    expect(currentUploads().report).toEqual({ stored: 1, duplicates: 0, failed: 2 });
  });

  it("forgets every upload when the session ends", async () => {
    const { send, answer } = heldSend();
    let changes = 0;
    const stop = subscribeUploads(() => (changes += 1));
    const batch = uploadBatch([wav("mine.wav"), wav("later.wav")], "", send);
    await answer(accepted("mine.wav"));
    endSession();
    expect(currentUploads().items).toEqual([]);
    await answer(new DOMException("signed out", "AbortError"));
    await batch;
    expect(currentUploads()).toEqual({ items: [], report: null, waiting: [] });
    expect(changes).toBeGreaterThan(0);
    stop();
  });
});
