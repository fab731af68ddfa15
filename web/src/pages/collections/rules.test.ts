import { describe, expect, it } from "vitest";

import { describeRules, emptyRuleForm, formFromRules, rulesFromForm } from "./rules";

describe("smart rules from the editor", () => {
  it("sends only the rules filled in, cleaned the way the API stores them", () => {
    const outcome = rulesFromForm({
      ...emptyRuleForm(),
      bpmMin: "85",
      bpmMax: "95.5",
      keys: ["Db minor"],
      loop: "loop",
      tagsAny: " Keys, keys ,pads",
      text: "  rhodes ",
      minConfidence: "60",
    });
    expect(outcome).toEqual({
      problem: null,
      rules: {
        bpm_min: 85,
        bpm_max: 95.5,
        keys: ["Db minor"],
        loop: true,
        tags_any: ["keys", "pads"],
        text: "rhodes",
        min_confidence: 0.6,
      },
    });
  });

  it.each([
    [{}, "Give at least one rule."],
    [{ bpmMin: "120", bpmMax: "90" }, "BPM from must not be above BPM to."],
    [{ bpmMax: "2000" }, "BPM to must be a number from 0 to 1000."],
    [{ minConfidence: "150" }, "Least confidence must be a percentage from 0 to 100."],
  ])("refuses %j with a message a producer can act on", (fields, problem) => {
    expect(rulesFromForm({ ...emptyRuleForm(), ...fields })).toEqual({ rules: null, problem });
  });

  it("round-trips saved rules through the editor", () => {
    const rules = { bpm_min: 80, keys: ["A minor"], loop: false, tags_all: ["kick"], min_confidence: 0.5 };
    expect(rulesFromForm(formFromRules(rules))).toEqual({ rules, problem: null });
  });

  it("reads as sentences", () => {
    expect(describeRules({ bpm_min: 85, bpm_max: 95, loop: true, tags_any: ["keys"] })).toEqual([
      "Tempo from 85 to 95 BPM",
      "Loops only",
      "Tagged with any of: keys",
    ]);
  });
});
