/**
 * The app's one audio engine (Web Audio). Samples are fetched once through the API's `/stream`
 * route and decoded into AudioBuffers kept for the session in a least-recently-used cache with a
 * memory bound, so a second audition starts at once. Auditions (rows, results, suggestions) play
 * one at a time: starting one stops the other. Pads play like the sampler's: several at once,
 * a pad cuts the pads of its mute group, a gate pad sounds while held, a loop pad loops.
 *
 * The state is readable (`subscribe`/`snapshot` for React, `window.__sp404Audio` for tests and
 * the audition benchmark): which voices sound, what was fetched and how long a click took to sound.
 */
import { callRaw } from "../api/client";
import { wavHead } from "./wavHead";

/** Decoded PCM kept for replay: float32 per channel per frame, so ~23 MB is 1 minute of stereo at 48 kHz. */
export const CACHE_LIMIT_BYTES = 96 * 1024 * 1024;

export type VoiceKind = "audition" | "pad";

export interface PlayOptions {
  /** Who plays: an audition (one at a time) or a pad (layers, mute groups). */
  kind?: VoiceKind;
  /** What plays it (a row's sample id, a pad's label): the key the UI looks up. */
  key?: string;
  loop?: boolean;
  /** First and after-last frame to play, in the sample's own frames at `sampleRate`. */
  start?: number | null;
  end?: number | null;
  /** The rate `start` and `end` count at (the sample's own); the buffer's when left out. */
  sampleRate?: number | null;
  /** 1–16 on the sampler; 0 or none: no group. */
  muteGroup?: number;
  /** 0–127 as on the pad. */
  volume?: number;
  /** Semitones. */
  pitch?: number;
  /** When the click happened (performance.now() clock), for the click-to-sound figure. */
  clickedAt?: number;
}

export interface Voice {
  key: string;
  sampleId: string;
  kind: VoiceKind;
  loop: boolean;
  muteGroup: number;
  /** AudioContext time the sound began, and the stretch of the buffer it plays (seconds). */
  startedAt: number;
  offset: number;
  length: number;
  rate: number;
}

export interface AudioSnapshot {
  voices: readonly Voice[];
  /** Sample ids being fetched or decoded. */
  loading: readonly string[];
  /** A failure of the last play, to show beside the button that asked. */
  error: { key: string; message: string } | null;
}

interface Entry {
  buffer: AudioBuffer;
  bytes: number;
}

interface Playing extends Voice {
  /** The source sounding now (the decoded start of the file until the whole file takes over). */
  source: AudioBufferSourceNode;
  sources: AudioBufferSourceNode[];
  gain: GainNode;
  /** The whole sample's length in seconds. */
  duration: number;
}

/** The start of a sample, decoded from its first bytes while the rest is fetched. */
interface Head {
  buffer: AudioBuffer;
  /** The whole sample's length in seconds. */
  duration: number;
}

interface Loading {
  /** Resolves first (null when the file is not a PCM WAV or arrived whole at once). */
  head: Promise<Head | null>;
  full: Promise<AudioBuffer>;
}

/** The first request asks for this much: ~1.5 s of 44.1 kHz stereo, decoded in a few ms. */
const HEAD_BYTES = 256 * 1024;
/** The whole file takes over this long before the start's decoded end (its edge may differ). */
const SWITCH_MARGIN_S = 0.1;

/** What a test or the benchmark can read from the page. */
export interface AudioProbe {
  state: () => {
    context: AudioContextState | "none";
    playing: { key: string; sampleId: string; kind: VoiceKind; loop: boolean; sources: number }[];
    cachedSamples: string[];
    cacheBytes: number;
    fetchedBytes: number;
    fetches: number;
  };
  /** Click-to-sound times (ms) of every play, newest last, and whether its buffer was cached. */
  timings: {
    sampleId: string;
    cached: boolean;
    clickToStartMs: number;
    outputLatencyMs: number;
    /** A first play that started on the file's first bytes while the rest was fetched. */
    progressive?: boolean;
    /** For a first play that waited for the whole file: how long its fetch and decoding took. */
    fetchMs?: number;
    decodeMs?: number;
  }[];
  /** Forget the decoded buffers (the benchmark's "uncached" case). */
  clearCache: () => void;
  /** The AudioContext's clock (seconds): it moves while the graph renders. */
  contextTime: () => number;
  stopAll: () => void;
}

let context: AudioContext | null = null;
const cache = new Map<string, Entry>();
const pending = new Map<string, Loading>();
const voices = new Map<string, Playing>();
/** Plays asked for and still loading, by key: a stop (a released gate, a second click) cancels them. */
const starting = new Map<string, { generation: number; kind: VoiceKind }>();
let generation = 0;
const listeners = new Set<() => void>();
let cacheBytes = 0;
let fetchedBytes = 0;
let fetches = 0;
let snapshot: AudioSnapshot = { voices: [], loading: [], error: null };
const timings: AudioProbe["timings"] = [];
/** How long each sample's fetch and decoding took, for the first play's timing record. */
const loadTimes = new Map<string, { fetchMs: number; decodeMs: number }>();

function audioContext(): AudioContext {
  if (!context) {
    context = new AudioContext({ latencyHint: "interactive" });
  }
  // A context made before a gesture starts suspended; a click resumes it.
  if (context.state === "suspended") void context.resume();
  return context;
}

function publish(error: AudioSnapshot["error"] = snapshot.error): void {
  snapshot = {
    voices: [...voices.values()].map(({ source: _s, sources: _ss, gain: _g, duration: _d, ...voice }) => voice),
    loading: [...pending.keys()],
    error,
  };
  listeners.forEach((listener) => listener());
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getSnapshot(): AudioSnapshot {
  return snapshot;
}

export function currentTime(): number {
  return context?.currentTime ?? 0;
}

function remember(sampleId: string, buffer: AudioBuffer): void {
  const bytes = buffer.length * buffer.numberOfChannels * 4;
  cache.delete(sampleId);
  cache.set(sampleId, { buffer, bytes });
  cacheBytes += bytes;
  // Oldest first out, never the one just added and never one that is sounding.
  for (const [id, entry] of cache) {
    if (cacheBytes <= CACHE_LIMIT_BYTES || id === sampleId) break;
    if ([...voices.values()].some((voice) => voice.sampleId === id)) continue;
    cache.delete(id);
    cacheBytes -= entry.bytes;
  }
}

function streamOf(sampleId: string, range: string): Promise<Response> {
  return callRaw("get", "/api/samples/{sample_id}/stream", { params: { sample_id: sampleId }, headers: { Range: range } });
}

/** The whole file's size from a 206's Content-Range ("bytes 0-262143/1764044"), or null. */
function sizeOf(response: Response): number | null {
  const total = /\/(\d+)\s*$/.exec(response.headers.get("Content-Range") ?? "")?.[1];
  return total ? Number(total) : null;
}

/**
 * Fetch a sample in two byte ranges: its first HEAD_BYTES (decoded at once when it is a WAV, so a
 * play can start on it) and the rest; the whole is decoded and cached. Every byte comes once.
 */
function startLoading(sampleId: string): Loading {
  let settleHead: (head: Head | null) => void = () => undefined;
  const head = new Promise<Head | null>((resolve) => {
    settleHead = resolve;
  });
  const full = (async () => {
    const began = performance.now();
    const first = await streamOf(sampleId, `bytes=0-${HEAD_BYTES - 1}`);
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    fetchedBytes += firstBytes.byteLength;
    const size = first.status === 206 ? sizeOf(first) : null;
    let whole = firstBytes;
    if (size !== null && size > firstBytes.byteLength) {
      const rest = streamOf(sampleId, `bytes=${firstBytes.byteLength}-`);
      const start = wavHead(firstBytes, size);
      if (start) {
        audioContext()
          .decodeAudioData(start.wav)
          .then((buffer) => settleHead({ buffer, duration: start.totalFrames / start.sampleRate }))
          .catch(() => settleHead(null));
      } else {
        settleHead(null);
      }
      const answer = await rest;
      const restBytes = new Uint8Array(await answer.arrayBuffer());
      fetchedBytes += restBytes.byteLength;
      if (answer.status === 206) {
        whole = new Uint8Array(firstBytes.byteLength + restBytes.byteLength);
        whole.set(firstBytes, 0);
        whole.set(restBytes, firstBytes.byteLength);
      } else {
        // The server sent the whole file after all.
        whole = restBytes;
      }
    } else {
      settleHead(null);
    }
    fetches += 1;
    const fetched = performance.now();
    const buffer = await audioContext().decodeAudioData(whole.buffer as ArrayBuffer);
    loadTimes.set(sampleId, { fetchMs: fetched - began, decodeMs: performance.now() - fetched });
    if (loadTimes.size > 200) loadTimes.delete(loadTimes.keys().next().value as string);
    remember(sampleId, buffer);
    return buffer;
  })();
  full.catch(() => settleHead(null));
  return { head, full };
}

function loading(sampleId: string): Loading {
  let entry = pending.get(sampleId);
  if (!entry) {
    entry = startLoading(sampleId);
    pending.set(sampleId, entry);
    const done = (): void => {
      pending.delete(sampleId);
      publish();
    };
    entry.full.then(done, done);
    publish();
  }
  return entry;
}

/** The decoded sample, from the cache or fetched through `/stream` once (concurrent asks share it). */
export function loadBuffer(sampleId: string): Promise<AudioBuffer> {
  const hit = cache.get(sampleId);
  if (hit) {
    // Most recently used last.
    cache.delete(sampleId);
    cache.set(sampleId, hit);
    return Promise.resolve(hit.buffer);
  }
  return loading(sampleId).full;
}

/** Whether the sample's audio is decoded already (the next play starts at once). */
export function isCached(sampleId: string): boolean {
  return cache.has(sampleId);
}

function cut(key: string, fadeS = 0.005): void {
  const voice = voices.get(key);
  if (!voice) return;
  voices.delete(key);
  // A few ms of fade: cutting a wave mid-swing clicks.
  const now = voice.gain.context.currentTime;
  voice.gain.gain.setTargetAtTime(0, now, fadeS / 3);
  for (const source of voice.sources) {
    source.onended = null;
    try {
      source.stop(now + fadeS);
    } catch {
      // Never started or already stopped.
    }
  }
  setTimeout(() => voice.gain.disconnect(), fadeS * 1000 + 50);
}

/** Stop what `key` plays, or is about to play (no-op when silent). */
export function stop(key: string): void {
  const wasStarting = starting.delete(key);
  if (!voices.has(key) && !wasStarting) return;
  cut(key);
  publish();
}

export function stopAll(kind?: VoiceKind): void {
  for (const [key, voice] of voices) if (!kind || voice.kind === kind) cut(key);
  publish();
}

export function isPlaying(key: string): boolean {
  return voices.has(key);
}

/** Play a sample; resolves once it sounds. A repeat of the same key restarts it. */
export async function play(sampleId: string, options: PlayOptions = {}): Promise<void> {
  const kind = options.kind ?? "audition";
  const key = options.key ?? sampleId;
  const clickedAt = options.clickedAt ?? performance.now();
  const cached = isCached(sampleId);
  const semitones = options.pitch ?? 0;
  generation += 1;
  const mine = generation;
  // One audition at a time: a newer one cancels an older one still loading.
  if (kind === "audition") for (const [other, wanted] of starting) if (wanted.kind === "audition") starting.delete(other);
  starting.set(key, { generation: mine, kind });
  let buffer: AudioBuffer | null = null;
  let head: Head | null = null;
  let whole: Promise<AudioBuffer> | null = null;
  try {
    const ctx = audioContext();
    if (cached) {
      buffer = await loadBuffer(sampleId);
    } else {
      const entry = loading(sampleId);
      whole = entry.full;
      // Start on the file's first bytes when they decode first (a WAV at its own pitch).
      head = semitones === 0 ? await Promise.race([entry.head, entry.full.then(() => null)]) : null;
      // A stretch that begins past the start that arrived waits for the whole file.
      const from = (options.start ?? 0) / (options.sampleRate || head?.buffer.sampleRate || 1);
      if (head && from >= head.buffer.duration - SWITCH_MARGIN_S) head = null;
      if (!head) buffer = await entry.full;
    }
    if (ctx.state === "suspended") await ctx.resume();
  } catch (error) {
    if (starting.get(key)?.generation === mine) starting.delete(key);
    publish({ key, message: error instanceof Error ? error.message : "This sample cannot be played." });
    throw error;
  }
  // Stopped (or asked again) while it loaded: this play is over before it began.
  if (starting.get(key)?.generation !== mine) return;
  starting.delete(key);
  const ctx = audioContext();
  if (kind === "audition") {
    for (const [other, voice] of voices) if (voice.kind === "audition") cut(other);
  }
  const muteGroup = options.muteGroup ?? 0;
  if (kind === "pad" && muteGroup > 0) {
    for (const [other, voice] of voices) if (voice.kind === "pad" && voice.muteGroup === muteGroup) cut(other);
  }
  cut(key);

  const first = (buffer ?? head?.buffer) as AudioBuffer;
  const total = buffer ? buffer.duration : (head?.duration ?? first.duration);
  const rate = options.sampleRate || first.sampleRate;
  const offset = Math.min(total, Math.max(0, (options.start ?? 0) / rate));
  const endAt = options.end != null ? Math.min(total, options.end / rate) : total;
  const length = Math.max(0.001, endAt - offset);
  const loop = Boolean(options.loop);
  // The start covers [0, headEnd); past that the whole file takes over.
  const headEnd = head ? Math.max(0, head.buffer.duration - SWITCH_MARGIN_S) : total;
  const gain = ctx.createGain();
  gain.gain.value = options.volume != null ? Math.max(0, Math.min(127, options.volume)) / 127 : 1;
  gain.connect(ctx.destination);
  const source = ctx.createBufferSource();
  source.buffer = buffer ?? (head as Head).buffer;
  source.playbackRate.value = 2 ** (semitones / 12);
  source.connect(gain);
  const needsWhole = head !== null && endAt > headEnd;
  // A voice that will hand over to the whole file starts a little ahead, so that it starts
  // exactly when scheduled (a start in the past slips to the next render quantum) and the
  // handover lands on the same frame.
  const startedAt = ctx.currentTime + (needsWhole ? 0.02 : 0);
  if (needsWhole) {
    // Plays the start until the whole file is decoded (or to the start's own end).
    source.start(startedAt, offset, head!.buffer.duration - offset);
  } else if (loop) {
    source.loop = true;
    source.loopStart = offset;
    source.loopEnd = endAt;
    source.start(startedAt, offset);
  } else {
    source.start(startedAt, offset, length);
  }
  const voice: Playing = {
    key,
    sampleId,
    kind,
    loop,
    muteGroup,
    startedAt,
    offset,
    length,
    rate: source.playbackRate.value,
    source,
    sources: [source],
    gain,
    duration: total,
  };
  const ended = (node: AudioBufferSourceNode) => () => {
    if (voices.get(key) === voice && voice.source === node) {
      voices.delete(key);
      gain.disconnect();
      publish();
    }
  };
  // While the whole file is awaited, the start's end is not the voice's end.
  if (!needsWhole) source.onended = ended(source);
  voices.set(key, voice);
  if (needsWhole) {
    void (whole as Promise<AudioBuffer>).then((full) => {
      if (voices.get(key) !== voice) return;
      // Take over at the start's end, or now when the whole file came late; rate 1 here, so
      // buffer seconds run with the clock.
      const at = Math.max(ctx.currentTime + 0.005, startedAt + (headEnd - offset));
      let position = offset + (at - startedAt);
      if (loop && position >= endAt) position = offset + ((position - offset) % Math.max(0.001, endAt - offset));
      if (!loop && position >= endAt) {
        voices.delete(key);
        publish();
        return;
      }
      const next = ctx.createBufferSource();
      next.buffer = full;
      next.connect(gain);
      if (loop) {
        next.loop = true;
        next.loopStart = offset;
        next.loopEnd = endAt;
        next.start(at, position);
      } else {
        next.start(at, position, endAt - position);
      }
      source.stop(at);
      voice.sources.push(next);
      voice.source = next;
      next.onended = ended(next);
    }, () => {
      // The rest never came: the start plays out, then the voice ends.
      if (voices.get(key) === voice) source.onended = ended(source);
    });
  }
  timings.push({
    sampleId,
    cached,
    // Until the source starts: now, or the little lead a handing-over voice is scheduled ahead.
    clickToStartMs: performance.now() - clickedAt + Math.max(0, startedAt - ctx.currentTime) * 1000,
    outputLatencyMs: ((ctx.outputLatency || 0) + (ctx.baseLatency || 0)) * 1000,
    ...(cached ? {} : { progressive: head !== null, ...loadTimes.get(sampleId) }),
  });
  if (timings.length > 100) timings.shift();
  publish(null);
}

/** Play `sampleId` as an audition, or stop it when it is the one sounding: what a play button does. */
export function toggle(sampleId: string, options: Omit<PlayOptions, "kind"> = {}): Promise<void> {
  const key = options.key ?? sampleId;
  if (voices.has(key) || starting.has(key)) {
    stop(key);
    return Promise.resolve();
  }
  return play(sampleId, { ...options, kind: "audition" });
}

/** Where in its stretch a voice is now, 0–1 (loops wrap), or null when it is silent. */
export function progressOf(key: string): number | null {
  const voice = voices.get(key);
  if (!voice || !context) return null;
  const elapsed = (context.currentTime - voice.startedAt) * voice.rate;
  if (voice.loop) return (elapsed % voice.length) / voice.length;
  return Math.min(1, elapsed / voice.length);
}

/** The voice that `key` plays, with where it is within the whole sample (0–1), or null. */
export function positionInSample(key: string): number | null {
  const voice = voices.get(key);
  if (!voice || !context) return null;
  const duration = voice.duration;
  if (!duration) return null;
  const within = progressOf(key) ?? 0;
  return Math.min(1, (voice.offset + within * voice.length) / duration);
}

const probe: AudioProbe = {
  state: () => ({
    context: context?.state ?? "none",
    playing: [...voices.values()].map(({ key, sampleId, kind, loop, sources }) => ({
      key,
      sampleId,
      kind,
      loop,
      // 2 once the whole file has taken over from its first bytes.
      sources: sources.length,
    })),
    cachedSamples: [...cache.keys()],
    cacheBytes,
    fetchedBytes,
    fetches,
  }),
  timings,
  clearCache: () => {
    cache.clear();
    cacheBytes = 0;
  },
  contextTime: () => context?.currentTime ?? 0,
  stopAll: () => stopAll(),
};

if (typeof window !== "undefined") {
  (window as unknown as { __sp404Audio: AudioProbe }).__sp404Audio = probe;
}
