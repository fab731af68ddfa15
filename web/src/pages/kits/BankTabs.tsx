/** Bank A–J as tabs: arrow keys move between them, as the WAI-ARIA tabs pattern has it. */
import { useRef, type KeyboardEvent } from "react";

import { BANKS } from "./grid";
import type { Bank } from "./types";

export function bankTabId(bank: Bank): string {
  return `bank-tab-${bank}`;
}

export const BANK_PANEL_ID = "bank-panel";

export function BankTabs({
  bank,
  counts,
  onChange,
}: {
  bank: Bank;
  counts: Record<Bank, number>;
  onChange: (bank: Bank) => void;
}) {
  const list = useRef<HTMLDivElement>(null);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    const moves: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    let next: Bank | null = null;
    if (event.key in moves) {
      next = BANKS[(BANKS.indexOf(bank) + moves[event.key] + BANKS.length) % BANKS.length];
    } else if (event.key === "Home") next = BANKS[0];
    else if (event.key === "End") next = BANKS[BANKS.length - 1];
    if (!next) return;
    event.preventDefault();
    onChange(next);
    list.current?.querySelector<HTMLButtonElement>(`#${bankTabId(next)}`)?.focus();
  }

  return (
    <div className="bank-tabs" role="tablist" aria-label="Banks" ref={list} onKeyDown={onKeyDown}>
      {BANKS.map((letter) => (
        <button
          key={letter}
          id={bankTabId(letter)}
          type="button"
          role="tab"
          aria-selected={letter === bank}
          aria-controls={BANK_PANEL_ID}
          tabIndex={letter === bank ? 0 : -1}
          className="bank-tab"
          onClick={() => onChange(letter)}
        >
          {/* Named by its hidden sentence ("Bank A, 3 pads used"); the letter and count are for the eye. */}
          <span className="visually-hidden">{`Bank ${letter}, ${counts[letter]} pad${counts[letter] === 1 ? "" : "s"} used`}</span>
          <span aria-hidden="true">{letter}</span>
          <span className="bank-count" aria-hidden="true">
            {counts[letter] || ""}
          </span>

        </button>
      ))}
    </div>
  );
}
