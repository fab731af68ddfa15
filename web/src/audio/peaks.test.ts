import { describe, expect, it } from "vitest";

import { nearestBeat, nearestZeroCrossing, peaksOf, resample } from "./peaks";

describe("waveform peaks", () => {
  it("keeps each column's lowest and highest value across channels", () => {
    const left = new Float32Array([0, 0.5, -0.25, 0, 0.1, -0.9]);
    const right = new Float32Array([0, -0.5, 0.75, 0, 0, 0]);
    const [first, second] = peaksOf([left, right], 2).peaks;
    expect(first).toEqual([-0.5, 0.75]);
    expect(second[0]).toBeCloseTo(-0.9, 6);
    expect(second[1]).toBeCloseTo(0.1, 6);
  });

  it("merges columns down without losing an extreme", () => {
    const peaks = { columns: 4, peaks: [[-0.1, 0.2], [-0.8, 0.1], [0, 0.9], [-0.3, 0.3]] as [number, number][] };
    expect(resample(peaks, 2).peaks).toEqual([
      [-0.8, 0.2],
      [-0.3, 0.9],
    ]);
    expect(resample(peaks, 8)).toBe(peaks);
  });
});

describe("snapping a trim point", () => {
  const sine = Float32Array.from({ length: 1000 }, (_, n) => Math.sin((2 * Math.PI * n) / 100));

  it("moves to the nearest zero crossing", () => {
    // The sine crosses zero every 50 frames.
    expect(nearestZeroCrossing(sine, 47)).toBe(50);
    expect(nearestZeroCrossing(sine, 53)).toBe(50);
    expect(nearestZeroCrossing(sine, 123)).toBe(100);
    // Between two frames of opposite sign, the one nearer to zero.
    expect(nearestZeroCrossing(new Float32Array([0.5, 0.4, -0.1, -0.5]), 0)).toBe(2);
  });

  it("stays put when nothing crosses within the window", () => {
    const flat = new Float32Array(100).fill(0.5);
    expect(nearestZeroCrossing(flat, 40, 10)).toBe(40);
  });

  it("pulls to a beat only from close by", () => {
    // 120 BPM at 48 kHz: a beat every 24,000 frames.
    expect(nearestBeat(23_500, 120, 48_000, 1_000)).toBe(24_000);
    expect(nearestBeat(20_000, 120, 48_000, 1_000)).toBeNull();
    expect(nearestBeat(100, 0, 48_000, 1_000)).toBeNull();
  });
});
