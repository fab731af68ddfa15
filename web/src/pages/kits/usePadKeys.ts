/** The computer keyboard as the sampler's pads (see padAudio.ts), anywhere on the kit page but in a text field. */
import { useEffect, useRef } from "react";

import { padLabel } from "./grid";
import { bankOfKey, padOfKey, pressPad, releasePad } from "./padAudio";
import type { Bank, Pad } from "./types";

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element?.tagName) return false;
  return element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName);
}

export function usePadKeys(bank: Bank, pads: Map<string, Pad>, onBank: (bank: Bank) => void): void {
  // The newest bank and pads without re-adding the listeners at every render.
  const current = useRef({ bank, pads, onBank });
  current.current = { bank, pads, onBank };

  useEffect(() => {
    // Which pad each held key started, so its release lets go of that pad even after a bank change.
    const held = new Map<string, Pad>();

    function onKeyDown(event: KeyboardEvent): void {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      if (event.shiftKey) {
        const next = bankOfKey(event.code);
        if (next) {
          event.preventDefault();
          current.current.onBank(next);
        }
        return;
      }
      const number = padOfKey(event.code);
      if (number === null) return;
      event.preventDefault();
      if (event.repeat || held.has(event.code)) return;
      const pad = current.current.pads.get(padLabel({ bank: current.current.bank, pad: number }));
      if (!pad) return;
      held.set(event.code, pad);
      pressPad(pad, event.timeStamp || performance.now());
    }

    function onKeyUp(event: KeyboardEvent): void {
      const pad = held.get(event.code);
      if (!pad) return;
      held.delete(event.code);
      releasePad(pad);
    }

    function onBlur(): void {
      held.forEach((pad) => releasePad(pad));
      held.clear();
    }

    window.addEventListener("keydown", onKeyDown);
    window.addEventListener("keyup", onKeyUp);
    window.addEventListener("blur", onBlur);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      window.removeEventListener("keyup", onKeyUp);
      window.removeEventListener("blur", onBlur);
      onBlur();
    };
  }, []);
}
