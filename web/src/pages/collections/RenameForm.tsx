/** Rename a collection and change its description. */
import { useId, useState, type FormEvent } from "react";

import { ErrorMessage } from "../../components/Alert";
import { updateCollection } from "./api";
import type { Collection } from "./types";

interface Props {
  collection: Pick<Collection, "id" | "name" | "description">;
  onSaved: (saved: Collection) => void;
  onCancel: () => void;
}

export function RenameForm({ collection, onSaved, onCancel }: Props) {
  const id = useId();
  const [name, setName] = useState(collection.name);
  const [description, setDescription] = useState(collection.description ?? "");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSaved(
        await updateCollection(collection.id, { name: name.trim(), description: description.trim() || null }),
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="rename" onSubmit={onSubmit} aria-label={`Rename ${collection.name}`}>
      <div className="field">
        <label htmlFor={`${id}-name`}>New name</label>
        <input
          id={`${id}-name`}
          value={name}
          required
          maxLength={100}
          autoFocus
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <input
          id={`${id}-description`}
          value={description}
          maxLength={1000}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
