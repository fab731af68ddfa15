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
  source: AudioBufferSourceNode;
  gain: GainNode;
}

/** What a test or the benchmark can read from the page. */
export interface AudioProbe {
  state: () => {
    context: AudioContextState | "none";
    playing: { key: string; sampleId: string; kind: VoiceKind; loop: boolean }[];
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
    /** For a first play: how long the fetch and the decoding took (within clickToStartMs). */
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
const pending = new Map<string, Promise<AudioBuffer>>();
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
    voices: [...voices.values()].map(({ source: _s, gain: _g, ...voice }) => voice),
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

/** The decoded sample, from the cache or fetched through `/stream` once (concurrent asks share it). */
export function loadBuffer(sampleId: string): Promise<AudioBuffer> {
  const hit = cache.get(sampleId);
  if (hit) {
    // Most recently used last.
    cache.delete(sampleId);
    cache.set(sampleId, hit);
    return Promise.resolve(hit.buffer);
  }
  let loading = pending.get(sampleId);
  if (!loading) {
    loading = (async () => {
      const began = performance.now();
      const response = await callRaw("get", "/api/samples/{sample_id}/stream", { params: { sample_id: sampleId } });
      const data = await response.arrayBuffer();
      fetchedBytes += data.byteLength;
      fetches += 1;
      const fetched = performance.now();
      const buffer = await audioContext().decodeAudioData(data);
      loadTimes.set(sampleId, { fetchMs: fetched - began, decodeMs: performance.now() - fetched });
      if (loadTimes.size > 200) loadTimes.delete(loadTimes.keys().next().value as string);
      remember(sampleId, buffer);
      return buffer;
    })().finally(() => {
      pending.delete(sampleId);
      publish();
    });
    pending.set(sampleId, loading);
    publish();
  }
  return loading;
}

/** Whether the sample's audio is decoded already (the next play starts at once). */
export function isCached(sampleId: string): boolean {
  return cache.has(sampleId);
}

function cut(key: string, fadeS = 0.005): void {
  const voice = voices.get(key);
  if (!voice) return;
  voices.delete(key);
  voice.source.onended = null;
  // A few ms of fade: cutting a wave mid-swing clicks.
  const now = voice.gain.context.currentTime;
  voice.gain.gain.setTargetAtTime(0, now, fadeS / 3);
  try {
    voice.source.stop(now + fadeS);
  } catch {
    // Already stopped.
  }
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
  generation += 1;
  const mine = generation;
  // One audition at a time: a newer one cancels an older one still loading.
  if (kind === "audition") for (const [other, wanted] of starting) if (wanted.kind === "audition") starting.delete(other);
  starting.set(key, { generation: mine, kind });
  let buffer: AudioBuffer;
  try {
    const ctx = audioContext();
    buffer = await loadBuffer(sampleId);
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

  const rate = options.sampleRate || buffer.sampleRate;
  const total = buffer.duration;
  const offset = Math.min(total, Math.max(0, (options.start ?? 0) / rate));
  const endAt = options.end != null ? Math.min(total, options.end / rate) : total;
  const length = Math.max(0.001, endAt - offset);
  const source = ctx.createBufferSource();
  source.buffer = buffer;
  source.playbackRate.value = 2 ** ((options.pitch ?? 0) / 12);
  const gain = ctx.createGain();
  gain.gain.value = options.volume != null ? Math.max(0, Math.min(127, options.volume)) / 127 : 1;
  source.connect(gain).connect(ctx.destination);
  const loop = Boolean(options.loop);
  if (loop) {
    source.loop = true;
    source.loopStart = offset;
    source.loopEnd = endAt;
    source.start(0, offset);
  } else {
    source.start(0, offset, length);
  }
  const voice: Playing = {
    key,
    sampleId,
    kind,
    loop,
    muteGroup,
    startedAt: ctx.currentTime,
    offset,
    length,
    rate: source.playbackRate.value,
    source,
    gain,
  };
  source.onended = () => {
    if (voices.get(key) === voice) {
      voices.delete(key);
      publish();
    }
  };
  voices.set(key, voice);
  timings.push({
    sampleId,
    cached,
    clickToStartMs: performance.now() - clickedAt,
    outputLatencyMs: ((ctx.outputLatency || 0) + (ctx.baseLatency || 0)) * 1000,
    ...(cached ? {} : loadTimes.get(sampleId)),
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
  const duration = voice.source.buffer?.duration ?? 0;
  if (!duration) return null;
  const within = progressOf(key) ?? 0;
  return Math.min(1, (voice.offset + within * voice.length) / duration);
}

const probe: AudioProbe = {
  state: () => ({
    context: context?.state ?? "none",
    playing: [...voices.values()].map(({ key, sampleId, kind, loop }) => ({ key, sampleId, kind, loop })),
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
