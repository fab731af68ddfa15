/**
 * Smart rules as a producer edits them (text fields) and as the API takes them (rules.py). What
 * they select is the server's to say: the preview asks POST /api/collections/preview.
 */
import { parseTags } from "../../format";
import type { SmartRules } from "./types";

export type LoopRule = "any" | "loop" | "one-shot";

/** The editor's fields, as typed: numbers stay text until they are checked. */
export interface RuleForm {
  bpmMin: string;
  bpmMax: string;
  /** With a BPM range: also half and double that tempo. */
  halfDouble?: boolean;
  keys: string[];
  loop: LoopRule;
  tagsAny: string;
  tagsAll: string;
  genres: string;
  text: string;
  /** Percent, 0–100. */
  minConfidence: string;
}

const MAX_LIST = 32;
const MAX_TAG = 40;
const MAX_GENRE = 60;
const MAX_TEXT = 100;
const KEY_PATTERN = /^[A-Ga-g](#|b)? ([Mm]ajor|[Mm]inor)$/;

export function emptyRuleForm(): RuleForm {
  return {
    bpmMin: "",
    bpmMax: "",
    halfDouble: false,
    keys: [],
    loop: "any",
    tagsAny: "",
    tagsAll: "",
    genres: "",
    text: "",
    minConfidence: "",
  };
}

export function formFromRules(rules: SmartRules | null): RuleForm {
  if (!rules) return emptyRuleForm();
  return {
    bpmMin: rules.bpm_min == null ? "" : String(rules.bpm_min),
    bpmMax: rules.bpm_max == null ? "" : String(rules.bpm_max),
    halfDouble: rules.half_double ?? false,
    keys: rules.keys ?? [],
    loop: rules.loop == null ? "any" : rules.loop ? "loop" : "one-shot",
    tagsAny: (rules.tags_any ?? []).join(", "),
    tagsAll: (rules.tags_all ?? []).join(", "),
    genres: (rules.genres ?? []).join(", "),
    text: rules.text ?? "",
    minConfidence: rules.min_confidence == null ? "" : String(Math.round(rules.min_confidence * 100)),
  };
}

/** The problem of an editor with nothing filled in yet (a hint rather than a mistake). */
export const NO_RULES = "Give at least one rule.";

export type RulesOutcome = { rules: SmartRules; problem: null } | { rules: null; problem: string };

function bpm(text: string, label: string): number | undefined | string {
  if (!text.trim()) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1000) return `${label} must be a number from 0 to 1000.`;
  return value;
}

function list(text: string, label: string, longest: number): string[] | undefined | string {
  const items = parseTags(text);
  if (items.length === 0) return undefined;
  if (items.length > MAX_LIST) return `${label}: at most ${MAX_LIST}.`;
  const long = items.find((item) => item.length > longest);
  if (long) return `${label}: “${long}” is longer than ${longest} characters.`;
  return items;
}

/** The rules the API will take from these fields, or the first thing to fix. */
export function rulesFromForm(form: RuleForm): RulesOutcome {
  const rules: SmartRules = {};
  const fail = (problem: string): RulesOutcome => ({ rules: null, problem });

  const min = bpm(form.bpmMin, "BPM from");
  if (typeof min === "string") return fail(min);
  const max = bpm(form.bpmMax, "BPM to");
  if (typeof max === "string") return fail(max);
  if (min !== undefined && max !== undefined && min > max) return fail("BPM from must not be above BPM to.");
  if (min !== undefined) rules.bpm_min = min;
  if (max !== undefined) rules.bpm_max = max;
  if (form.halfDouble && (min !== undefined || max !== undefined)) rules.half_double = true;

  const keys = [...new Set(form.keys)];
  if (keys.length > MAX_LIST) return fail(`Keys: at most ${MAX_LIST}.`);
  const badKey = keys.find((key) => !KEY_PATTERN.test(key));
  if (badKey) return fail(`“${badKey}” is not a key like “A minor”.`);
  if (keys.length) rules.keys = keys;

  if (form.loop !== "any") rules.loop = form.loop === "loop";

  const tagsAny = list(form.tagsAny, "Any of these tags", MAX_TAG);
  if (typeof tagsAny === "string") return fail(tagsAny);
  if (tagsAny) rules.tags_any = tagsAny;
  const tagsAll = list(form.tagsAll, "All of these tags", MAX_TAG);
  if (typeof tagsAll === "string") return fail(tagsAll);
  if (tagsAll) rules.tags_all = tagsAll;
  const genres = list(form.genres, "Genres", MAX_GENRE);
  if (typeof genres === "string") return fail(genres);
  if (genres) rules.genres = genres;

  const text = form.text.trim();
  if (text.length > MAX_TEXT) return fail(`The text is longer than ${MAX_TEXT} characters.`);
  if (text) rules.text = text;

  if (form.minConfidence.trim()) {
    const percent = Number(form.minConfidence);
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
      return fail("Least confidence must be a percentage from 0 to 100.");
    }
    rules.min_confidence = percent / 100;
  }

  if (Object.keys(rules).length === 0) return fail(NO_RULES);
  return { rules, problem: null };
}

function bpmText(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** One plain sentence per rule, for the collection page. */
export function describeRules(rules: SmartRules): string[] {
  const lines: string[] = [];
  if (rules.bpm_min != null && rules.bpm_max != null) {
    lines.push(`Tempo from ${bpmText(rules.bpm_min)} to ${bpmText(rules.bpm_max)} BPM`);
  } else if (rules.bpm_min != null) {
    lines.push(`Tempo at least ${bpmText(rules.bpm_min)} BPM`);
  } else if (rules.bpm_max != null) {
    lines.push(`Tempo at most ${bpmText(rules.bpm_max)} BPM`);
  }
  if (rules.half_double && (rules.bpm_min != null || rules.bpm_max != null)) lines.push("Half and double time count too");
  if (rules.keys?.length) lines.push(`Key: ${rules.keys.join(" or ")}`);
  if (rules.loop != null) lines.push(rules.loop ? "Loops only" : "One-shots only");
  if (rules.tags_any?.length) lines.push(`Tagged with any of: ${rules.tags_any.join(", ")}`);
  if (rules.tags_all?.length) lines.push(`Tagged with all of: ${rules.tags_all.join(", ")}`);
  if (rules.genres?.length) lines.push(`Genre: ${rules.genres.join(" or ")}`);
  if (rules.text) lines.push(`Title or a tag contains “${rules.text}”`);
  if (rules.min_confidence != null) {
    lines.push(`Tempo or key detected with at least ${Math.round(rules.min_confidence * 100)} % confidence`);
  }
  return lines;
}
