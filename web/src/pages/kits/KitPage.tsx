/** One kit as the SP-404MK2 shows it: bank tabs, the 4 × 4 pads, the selected pad's panel, the
 * library to drag from, and exports. Every drag has a button alternative in the pad panel. */
import { useMemo, useRef, useState } from "react";

import { ApiError } from "../../api/errors";
import { useResource } from "../../api/useResource";
import { ErrorMessage, Note } from "../../components/Alert";
import { Link, useLocation } from "../../router";
import { keyWithCamelot } from "../../music/keys";
import { BANK_PANEL_ID, BankTabs, bankTabId } from "./BankTabs";
import { EmptyPads, UnderstoodLine, builtReport, type EmptyPad } from "./BuildReport";
import type { Dropped } from "./dragData";
import { ExportList } from "./ExportList";
import { ExportPanel } from "./ExportPanel";
import { countByBank, defaultSettings, nextEmptyPad, padLabel, padsByLabel, tempoAndKey } from "./grid";
import { KitSettingsForm } from "./KitSettingsForm";
import { assignPad, clearPad, completeFromSeed, getKit, movePad } from "./kitApi";
import { LibraryPanel } from "./LibraryPanel";
import { PadGrid } from "./PadGrid";
import { PadPanel, type PadActions } from "./PadPanel";
import type { Bank, Kit, PadRef } from "./types";
import { useExports } from "./useExports";
import { usePadKeys } from "./usePadKeys";
import "./kits.css";

function KitNotFound() {
  return (
    <section className="card narrow">
      <h1>Kit not found</h1>
      <p>This kit does not exist or is not one of yours.</p>
      <p>
        <Link to="/kits">Back to your kits</Link>
      </p>
    </section>
  );
}

export function KitPage({ id }: { id: string }) {
  const { query } = useLocation();
  const built = query.get("built");
  const { data: kit, error, setData: setKit } = useResource((signal) => getKit(id, signal), [id]);
  const [bank, setBank] = useState<Bank>("A");
  const [selected, setSelected] = useState<PadRef | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  // The pads a "Complete bank" left empty, and why (null until one ran).
  const [leftEmpty, setLeftEmpty] = useState<EmptyPad[] | null>(null);
  const report = built != null ? builtReport(id) : null;
  const searchRef = useRef<HTMLInputElement>(null);
  const exports = useExports();
  const pads = useMemo(() => padsByLabel(kit?.pads ?? []), [kit]);
  usePadKeys(bank, pads, setBank);

  /** Run one change of the kit; the API answers with the whole kit as it now stands. */
  async function change(action: () => Promise<Kit>, describe: (next: Kit) => string): Promise<void> {
    setBusy(true);
    setActionError(null);
    try {
      const next = await action();
      setKit(next);
      setLeftEmpty(next.empty && next.added !== undefined ? next.empty : null);
      setMessage(describe(next));
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(false);
    }
  }

  // A malformed id answers 422; another producer's kit 404, exactly like a missing one.
  if (error instanceof ApiError && (error.status === 404 || error.status === 422)) return <KitNotFound />;
  if (error) return <ErrorMessage error={error} />;
  if (!kit) return <p role="status">Loading…</p>;

  const version = `${kit.updated_at}-${kit.pads.length}`;

  function select(ref: PadRef): void {
    setSelected(ref);
    setBank(ref.bank);
  }

  const kitId = kit.id;
  function put(target: PadRef, sampleId: string, title: string, isLoop: boolean | null): void {
    void change(
      () => assignPad(kitId, target, sampleId, defaultSettings(target.pad, isLoop)),
      () => `Put “${title}” on ${padLabel(target)}.`,
    );
  }

  // With no pad selected, the library's buttons fill the empty pads in turn from this bank on.
  const nextEmpty = selected ? null : nextEmptyPad(pads, bank);

  const actions: PadActions = {
    assign(target, sampleId, title, isLoop) {
      put(target, sampleId, title, isLoop);
      select(target);
    },
    move(source, target) {
      const taken = pads.has(padLabel(target));
      void change(
        () => movePad(kit.id, source, target, taken),
        () =>
          taken
            ? `Swapped ${padLabel(source)} and ${padLabel(target)}.`
            : `Moved ${padLabel(source)} to ${padLabel(target)}.`,
      );
      select(target);
    },
    clear(ref) {
      void change(
        () => clearPad(kit.id, ref),
        () => `Cleared ${padLabel(ref)}.`,
      );
    },
    save(pad, settings) {
      void change(
        () => assignPad(kit.id, pad, pad.sample_id, settings),
        () => `Saved the settings of ${padLabel(pad)}.`,
      );
    },
    complete(pad) {
      void change(
        () => completeFromSeed(kit.id, pad.sample_id, pad.bank),
        (next) =>
          next.added && next.added.length > 0
            ? `Filled ${next.added.join(", ")} around “${pad.sample.title ?? "this sample"}”.`
            : `No more samples in your library go with “${pad.sample.title ?? "this sample"}” on bank ${pad.bank}.`,
      );
    },
    chooseFromLibrary() {
      searchRef.current?.focus();
    },
  };

  function onDrop(target: PadRef, dropped: Dropped): void {
    if ("sampleId" in dropped) {
      actions.assign(target, dropped.sampleId, dropped.title, dropped.isLoop);
    } else {
      actions.move(dropped.pad, target);
    }
  }

  return (
    <>
      <p>
        <Link to="/kits">← Kits</Link>
      </p>
      <h1>{kit.name}</h1>
      <p className="muted">
        {tempoAndKey(kit.bpm, kit.musical_key ? keyWithCamelot(kit.musical_key, kit.camelot) : null)} · {kit.pads.length} of
        160 pads used
      </p>
      {built != null && (
        <Note tone="success">
          Built: {built} pad{built === "1" ? "" : "s"} filled from your library.
        </Note>
      )}
      {report && (report.understood || report.empty.length > 0) && (
        <section className="card" aria-labelledby="build-heading">
          <h2 id="build-heading">How this kit was built</h2>
          {report.understood && <UnderstoodLine prompt={report.prompt} understood={report.understood} />}
          <EmptyPads empty={report.empty} />
        </section>
      )}
      {/* Remounted when the kit's own fields change (a "complete" can set tempo and key). */}
      <KitSettingsForm
        key={`${kit.name}|${kit.bpm}|${kit.musical_key}`}
        kit={kit}
        onSaved={(next) => {
          setKit(next);
          setMessage("Saved the kit's name, tempo and key.");
        }}
      />
      <div className="kit-layout">
        <div className="kit-main">
          <section className="card" aria-labelledby="grid-heading">
            <h2 id="grid-heading">Pads</h2>
            <p className="muted kit-keys-help">
              Click a pad or press its key to play it (1–4, Q–R, A–F, Z–V); Shift + 1…0 picks bank A…J.
            </p>
            <BankTabs bank={bank} counts={countByBank(kit.pads)} onChange={setBank} />
            <div id={BANK_PANEL_ID} role="tabpanel" aria-labelledby={bankTabId(bank)}>
              <PadGrid bank={bank} pads={pads} selected={selected} onSelect={select} onDrop={onDrop} />
            </div>
            <p className="kit-status" role="status">
              {message}
            </p>
            <ErrorMessage error={actionError} />
            {leftEmpty && (
              <div className="complete-report" role="group" aria-label="Completed bank">
                <EmptyPads empty={leftEmpty} />
              </div>
            )}
          </section>
          {selected ? (
            <PadPanel kitId={kit.id} version={version} selected={selected} pads={pads} busy={busy} actions={actions} />
          ) : (
            <section className="card pad-panel">
              <h2>Pad</h2>
              <p>Select a pad to edit its settings, move it, clear it or see suggestions for it.</p>
            </section>
          )}
        </div>
        <div className="kit-side">
          <LibraryPanel
            target={selected ?? nextEmpty}
            chosen={selected != null}
            busy={busy}
            searchRef={searchRef}
            onRelease={() => setSelected(null)}
            onAssign={(sampleId, title, isLoop) => {
              if (selected) actions.assign(selected, sampleId, title, isLoop);
              else if (nextEmpty) {
                // Filling stays filling: the pad is not selected, so the next click takes the next one.
                put(nextEmpty, sampleId, title, isLoop);
                setBank(nextEmpty.bank);
              }
            }}
          />
        </div>
      </div>
      <ExportPanel kit={kit} onStarted={() => void exports.refresh()} />
      <ExportList exports={exports} />
    </>
  );
}
