/** Delete a collection after a confirmation that says what goes and what stays. */
import { useState } from "react";

import { ErrorMessage } from "../../components/Alert";
import { deleteCollection } from "./api";
import type { Collection } from "./types";

interface Props {
  collection: Pick<Collection, "id" | "name" | "child_count">;
  onDeleted: () => void;
}

export function DeleteCollection({ collection, onDeleted }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function onConfirm(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await deleteCollection(collection.id);
      onDeleted();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  if (!confirming) {
    return (
      <button
        type="button"
        className="danger-button"
        aria-label={`Delete ${collection.name}`}
        onClick={() => setConfirming(true)}
      >
        Delete
      </button>
    );
  }
  return (
    <div role="group" aria-label={`Confirm deleting ${collection.name}`} className="confirm">
      <p>
        Delete “{collection.name}”
        {collection.child_count > 0 ? " and the collections inside it" : ""}? The samples
        stay in your library.
      </p>
      <div className="actions">
        <button type="button" className="danger-button" disabled={busy} onClick={onConfirm}>
          Yes, delete it
        </button>
        {/* Focus lands on the safe choice, so a second Enter never deletes by accident. */}
        <button type="button" className="secondary" onClick={() => setConfirming(false)} autoFocus>
          Keep it
        </button>
      </div>
      <ErrorMessage error={error} />
    </div>
  );
}
