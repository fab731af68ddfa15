/** The producer's kits: create one (empty or built from a collection or a prompt), rename,
 * delete and open them; and every export with its progress and download. */
import { useState } from "react";

import { call } from "../../api/client";
import { useResource } from "../../api/useResource";
import { ErrorMessage } from "../../components/Alert";
import { formatWhen } from "../../format";
import { keyWithCamelot } from "../../music/keys";
import { Link } from "../../router";
import { AutoBuildForm, CreateKitForm } from "./CreateKitForms";
import { DeviceImportForm } from "./DeviceImportForm";
import { ExportList } from "./ExportList";
import { tempoAndKey } from "./grid";
import { deleteKit, updateKit } from "./kitApi";
import type { KitSummary } from "./types";
import { useExports } from "./useExports";
import "./kits.css";

function KitRow({ kit, onChanged }: { kit: KitSummary; onChanged: () => void }) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(kit.name);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const nameId = `rename-${kit.id}`;

  async function run(action: () => Promise<unknown>): Promise<void> {
    setError(null);
    try {
      await action();
      onChanged();
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <li className="kit-row">
      {renaming ? (
        <form
          className="kit-inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void run(async () => {
              await updateKit(kit.id, { name: name.trim() });
              setRenaming(false);
            });
          }}
        >
          <label htmlFor={nameId}>New name for {kit.name}</label>
          <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          <button type="submit">Save name</button>
          <button type="button" className="kit-secondary" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="kit-row-main">
          <Link to={`/kits/${kit.id}`} className="kit-name">
            {kit.name}
          </Link>
          <span>
            {kit.pad_count} pad{kit.pad_count === 1 ? "" : "s"}
          </span>
          <span>{tempoAndKey(kit.bpm, kit.musical_key ? keyWithCamelot(kit.musical_key, kit.camelot) : null)}</span>
          <span className="muted">Changed {formatWhen(kit.updated_at)}</span>
        </div>
      )}
      {!renaming && (
        <div className="kit-actions">
          <button
            type="button"
            className="kit-secondary"
            onClick={() => {
              setName(kit.name);
              setRenaming(true);
            }}
            aria-label={`Rename ${kit.name}`}
          >
            Rename
          </button>
          {confirming ? (
            <span role="group" aria-label={`Confirm deleting ${kit.name}`} className="kit-confirm">
              Delete “{kit.name}”? Its samples stay in your library.{" "}
              <button type="button" className="danger-button" onClick={() => void run(() => deleteKit(kit.id))}>
                Yes, delete
              </button>{" "}
              <button type="button" className="kit-secondary" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </span>
          ) : (
            <button
              type="button"
              className="danger-button"
              onClick={() => setConfirming(true)}
              aria-label={`Delete ${kit.name}`}
            >
              Delete
            </button>
          )}
        </div>
      )}
      <ErrorMessage error={error} />
    </li>
  );
}

export function KitsPage() {
  const { data: list, error, reload: load } = useResource((signal) => call("get", "/api/kits", { query: { limit: 200 }, signal }), []);
  const exports = useExports();

  return (
    <>
      <h1>Kits</h1>
      <p className="muted">
        A kit is the SP-404MK2&rsquo;s 10 banks of 16 pads. Build one here, then export it as a folder
        pack the sampler imports.
      </p>
      <div className="kit-forms">
        <CreateKitForm />
        <AutoBuildForm />
        <DeviceImportForm />
      </div>
      <section className="card" aria-labelledby="kits-heading">
        <h2 id="kits-heading">Your kits</h2>
        <ErrorMessage error={error} />
        {list && list.kits.length === 0 && <p>No kits yet. Create one above.</p>}
        {list && list.kits.length > 0 && (
          <ul className="kit-list" aria-label="Kits">
            {list.kits.map((kit) => (
              <KitRow key={`${kit.id}-${kit.updated_at}`} kit={kit} onChanged={load} />
            ))}
          </ul>
        )}
      </section>
      <ExportList exports={exports} />
    </>
  );
}
