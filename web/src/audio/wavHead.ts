/**
 * The first bytes of a WAV file as a WAV file of their own: its header with the sizes set to the
 * whole frames that arrived, so the browser can decode the start of a sample (and play it) while
 * the rest is still on its way. Only PCM and float WAVs; anything else answers null.
 */

export interface WavHead {
  /** A complete little WAV file: the header and the whole frames of the first bytes. */
  wav: ArrayBuffer;
  sampleRate: number;
  /** Frames in `wav`, and in the whole file (from its data chunk's declared size, or its length). */
  frames: number;
  totalFrames: number;
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

function tag(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

/** `first` holds the file's first bytes; `fileSize` is the whole file's length in bytes. */
export function wavHead(first: Uint8Array, fileSize: number): WavHead | null {
  const view = new DataView(first.buffer, first.byteOffset, first.byteLength);
  if (first.byteLength < 44 || tag(view, 0) !== "RIFF" || tag(view, 8) !== "WAVE") return null;
  let at = 12;
  let format: { tag: number; channels: number; rate: number; blockAlign: number } | null = null;
  while (at + 8 <= first.byteLength) {
    const id = tag(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt " && body + 16 <= first.byteLength) {
      format = {
        tag: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
      };
    } else if (id === "data") {
      if (!format || ![PCM, FLOAT, EXTENSIBLE].includes(format.tag) || format.blockAlign === 0 || format.rate === 0) {
        return null;
      }
      const declared = size > 0 && size !== 0xffffffff ? size : fileSize - body;
      const wholeData = Math.min(declared, fileSize - body);
      const arrived = Math.min(wholeData, first.byteLength - body);
      const frames = Math.floor(arrived / format.blockAlign);
      if (frames === 0) return null;
      const length = body + frames * format.blockAlign;
      const wav = first.slice(0, length);
      const out = new DataView(wav.buffer);
      out.setUint32(4, length - 8, true);
      out.setUint32(at + 4, frames * format.blockAlign, true);
      return {
        wav: wav.buffer,
        sampleRate: format.rate,
        frames,
        totalFrames: Math.floor(wholeData / format.blockAlign),
      };
    }
    // Chunks are padded to an even length.
    at = body + size + (size % 2);
  }
  return null;
}
