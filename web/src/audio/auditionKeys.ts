/**
 * Keyboard audition for a list of rows (library, results, members): the arrow keys move to the
 * next or previous row and play it, space plays or stops the row that has focus. A row is an
 * element with `data-audition-row` holding one play button (`data-play-button`).
 */
import type { KeyboardEvent } from "react";

import { play } from "./player";

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) return false;
  return element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName);
}

function buttonOf(row: Element | null): HTMLButtonElement | null {
  return row?.querySelector<HTMLButtonElement>("[data-play-button]") ?? null;
}

/** The list's onKeyDown. */
export function onAuditionKeys(event: KeyboardEvent<HTMLElement>): void {
  if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
  const list = event.currentTarget;
  const rows = [...list.querySelectorAll("[data-audition-row]")];
  const row = (event.target as HTMLElement).closest("[data-audition-row]");
  if (!row || !rows.includes(row)) return;
  if (event.key === " " || event.key === "Spacebar") {
    // On the play button itself the browser's own click does it.
    if ((event.target as HTMLElement).closest("[data-play-button]")) return;
    event.preventDefault();
    buttonOf(row)?.click();
    return;
  }
  const step = event.key === "ArrowDown" ? 1 : event.key === "ArrowUp" ? -1 : 0;
  if (!step) return;
  const next = rows[rows.indexOf(row) + step];
  const button = buttonOf(next ?? null);
  if (!button) return;
  event.preventDefault();
  button.focus();
  const sampleId = button.dataset.sample;
  if (sampleId) {
    void play(sampleId, {
      key: button.dataset.audition ?? sampleId,
      loop: button.dataset.loop === "true",
      clickedAt: event.timeStamp || performance.now(),
    }).catch(() => undefined);
  }
}
