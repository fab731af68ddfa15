import { describe, expect, it } from "vitest";

import { groupEmpty, type EmptyPad } from "./BuildReport";

const pad = (label: string, role: EmptyPad["role"], message: string): EmptyPad => ({
  label,
  role,
  reason: "no_candidate",
  message,
});

describe("empty pads", () => {
  it("groups neighbouring pads with the same role and reason", () => {
    const groups = groupEmpty([
      pad("A-02", "loop", "none"),
      pad("A-03", "loop", "none"),
      pad("A-05", "texture", "none"),
      pad("A-15", "closed_hat", "none"),
    ]);
    expect(groups.map((group) => group.labels.join(", "))).toEqual(["A-02, A-03", "A-05", "A-15"]);
  });
});
