import { describe, expect, it } from "vitest";

import { avatarProblem } from "./avatarRules";

describe("choosing an avatar", () => {
  it("accepts PNG, JPEG and WebP up to 2 MB", () => {
    expect(avatarProblem({ name: "me.png", type: "image/png", size: 2 * 1024 * 1024 })).toBeNull();
    expect(avatarProblem({ name: "me.jpg", type: "image/jpeg", size: 10 })).toBeNull();
    expect(avatarProblem({ name: "me.webp", type: "image/webp", size: 10 })).toBeNull();
  });

  it("says why a file is refused before it is sent", () => {
    expect(avatarProblem({ name: "big.png", type: "image/png", size: 3_000_000 })).toBe(
      "big.png is 3.0 MB; avatars can be up to 2 MB. Please pick a smaller image.",
    );
    expect(avatarProblem({ name: "notes.txt", type: "text/plain", size: 10 })).toBe(
      "notes.txt is not a PNG, JPEG or WebP image.",
    );
    expect(avatarProblem({ name: "empty.png", type: "image/png", size: 0 })).toBe("That file is empty.");
  });

  it("leaves a file of unknown type to the server, which reads its content", () => {
    expect(avatarProblem({ name: "portrait", type: "", size: 10 })).toBeNull();
  });
});
