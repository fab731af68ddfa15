/** The fields of a smart collection's rules (exactly what rules.py accepts), all optional. */
import { useId } from "react";

import { KEYS } from "../library/filters";
import type { LoopRule, RuleForm } from "./rules";

const LOOP_CHOICES: { value: LoopRule; label: string }[] = [
  { value: "any", label: "Any" },
  { value: "loop", label: "Loops only" },
  { value: "one-shot", label: "One-shots only" },
];

export function SmartExplanation() {
  return (
    <p className="muted smart-explainer">
      A smart collection fills itself: whenever you open it, its samples are the ones in your library
      that meet <strong>every</strong> rule at that moment. Upload a sample or change its tags, BPM or
      key and it joins or leaves on its own, so samples cannot be added or removed by hand.
    </p>
  );
}

export function RulesEditor({ value, onChange }: { value: RuleForm; onChange: (next: RuleForm) => void }) {
  const id = useId();
  const set = <K extends keyof RuleForm>(name: K, next: RuleForm[K]) => onChange({ ...value, [name]: next });

  function toggleKey(key: string, on: boolean): void {
    set("keys", on ? [...value.keys, key] : value.keys.filter((chosen) => chosen !== key));
  }

  return (
    <fieldset className="rules">
      <legend>Rules (fill in only the ones you want)</legend>
      <div className="rules-grid">
        <div className="field">
          <label htmlFor={`${id}-bpm-min`}>BPM from</label>
          <input
            id={`${id}-bpm-min`}
            type="number"
            inputMode="decimal"
            min={0}
            max={1000}
            step="any"
            value={value.bpmMin}
            onChange={(event) => set("bpmMin", event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-bpm-max`}>BPM to</label>
          <input
            id={`${id}-bpm-max`}
            type="number"
            inputMode="decimal"
            min={0}
            max={1000}
            step="any"
            value={value.bpmMax}
            onChange={(event) => set("bpmMax", event.target.value)}
          />
        </div>
        <div className="field field-check">
          <label className="choice">
            <input
              type="checkbox"
              checked={value.halfDouble ?? false}
              onChange={(event) => set("halfDouble", event.target.checked)}
            />
            Half and double time too
          </label>
        </div>
        <div className="field">
          <label htmlFor={`${id}-tags-any`}>Any of these tags</label>
          <input
            id={`${id}-tags-any`}
            value={value.tagsAny}
            placeholder="drums, percussion"
            onChange={(event) => set("tagsAny", event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-tags-all`}>All of these tags</label>
          <input
            id={`${id}-tags-all`}
            value={value.tagsAll}
            placeholder="dusty, vinyl"
            onChange={(event) => set("tagsAll", event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-text`}>Title or a tag contains</label>
          <input
            id={`${id}-text`}
            value={value.text}
            maxLength={100}
            onChange={(event) => set("text", event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-genres`}>Genres (any of)</label>
          <input
            id={`${id}-genres`}
            value={value.genres}
            placeholder="hip hop, jazz"
            onChange={(event) => set("genres", event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-confidence`}>Least confidence (%)</label>
          <input
            id={`${id}-confidence`}
            type="number"
            min={0}
            max={100}
            value={value.minConfidence}
            aria-describedby={`${id}-confidence-hint`}
            onChange={(event) => set("minConfidence", event.target.value)}
          />
          <small id={`${id}-confidence-hint`} className="hint">
            How sure the analysis must be of the tempo or key the rules use.
          </small>
        </div>
      </div>
      <fieldset className="choice-group">
        <legend>Type</legend>
        {LOOP_CHOICES.map((choice) => (
          <label key={choice.value} className="choice">
            <input
              type="radio"
              name={`${id}-loop`}
              value={choice.value}
              checked={value.loop === choice.value}
              onChange={() => set("loop", choice.value)}
            />
            {choice.label}
          </label>
        ))}
      </fieldset>
      <details className="key-picker">
        <summary>Keys{value.keys.length ? `: ${value.keys.join(", ")}` : " (any)"}</summary>
        <fieldset className="choice-group keys">
          <legend className="visually-hidden">Keys (any of)</legend>
          {KEYS.map((key) => (
            <label key={key} className="choice">
              <input
                type="checkbox"
                checked={value.keys.includes(key)}
                onChange={(event) => toggleKey(key, event.target.checked)}
              />
              {key}
            </label>
          ))}
        </fieldset>
      </details>
    </fieldset>
  );
}
