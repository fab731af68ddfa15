/** What the platform accepts as an avatar (platform/accounts/profile.py), checked before upload. */
import { formatBytes } from "../../format";

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
export const AVATAR_TYPES = ["image/png", "image/jpeg", "image/webp"];
export const AVATAR_RULES = "PNG, JPEG or WebP, up to 2 MB and 4096 × 4096 pixels.";

/**
 * Why a chosen file cannot be an avatar, or null when it may be sent. Only what the browser
 * knows for sure is checked here: the size, and a declared type that is plainly not an image.
 * The content itself is identified by the server, whose message is shown when it refuses.
 */
export function avatarProblem(file: { size: number; type: string; name: string }): string | null {
  if (file.size === 0) return "That file is empty.";
  if (file.size > AVATAR_MAX_BYTES) {
    return `${file.name} is ${formatBytes(file.size)}; avatars can be up to 2 MB. Please pick a smaller image.`;
  }
  if (file.type && !AVATAR_TYPES.includes(file.type)) {
    return `${file.name} is not a PNG, JPEG or WebP image.`;
  }
  return null;
}
