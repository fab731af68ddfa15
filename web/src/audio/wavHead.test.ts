import { describe, expect, it } from "vitest";

import { wavHead } from "./wavHead";

/** A 16-bit stereo WAV of `frames` frames, with a LIST chunk before the data like many editors write. */
function wav(frames: number, rate = 44_100): Uint8Array {
  const list = new TextEncoder().encode("LIST\x04\x00\x00\x00INFO");
  const data = frames * 4;
  const bytes = new Uint8Array(12 + 24 + list.length + 8 + data);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode("RIFF"), 0);
  view.setUint32(4, bytes.length - 8, true);
  bytes.set(new TextEncoder().encode("WAVEfmt "), 8);
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 2, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 4, true);
  view.setUint16(32, 4, true);
  view.setUint16(34, 16, true);
  bytes.set(list, 36);
  const dataAt = 36 + list.length;
  bytes.set(new TextEncoder().encode("data"), dataAt);
  view.setUint32(dataAt + 4, data, true);
  for (let i = dataAt + 8; i < bytes.length; i += 1) bytes[i] = i % 251;
  return bytes;
}

describe("the start of a WAV as a WAV of its own", () => {
  it("keeps the header and the whole frames that arrived, with the sizes set to them", () => {
    const file = wav(10_000);
    const head = wavHead(file.slice(0, 1_000), file.length);
    expect(head).not.toBeNull();
    const bytes = new Uint8Array(head!.wav);
    const dataAt = 48;
    // (1000 - 56) bytes of data arrived: 236 whole 4-byte frames.
    expect(head!.frames).toBe(236);
    expect(head!.totalFrames).toBe(10_000);
    expect(head!.sampleRate).toBe(44_100);
    expect(bytes.length).toBe(dataAt + 8 + 236 * 4);
    const view = new DataView(head!.wav);
    expect(view.getUint32(4, true)).toBe(bytes.length - 8);
    expect(view.getUint32(dataAt + 4, true)).toBe(236 * 4);
    expect(bytes.slice(dataAt + 8)).toEqual(file.slice(dataAt + 8, dataAt + 8 + 236 * 4));
  });

  it("answers null for what is not a PCM WAV, or holds no whole frame yet", () => {
    const file = wav(100);
    expect(wavHead(new TextEncoder().encode("ID3\x04 an mp3 file, not a wav at all......................"), 5_000)).toBeNull();
    expect(wavHead(file.slice(0, 57), file.length)).toBeNull();
    const compressed = file.slice();
    new DataView(compressed.buffer).setUint16(20, 2, true); // ADPCM
    expect(wavHead(compressed.slice(0, 200), compressed.length)).toBeNull();
  });
});
