/** One collection in the tree: its name, counts, and rename and delete in place. */
import { useState } from "react";

import { Link } from "../../router";
import { DeleteCollection } from "./DeleteCollection";
import { RenameForm } from "./RenameForm";
import { MAX_DEPTH, type Collection } from "./types";

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function CollectionRow({ collection, onChanged }: { collection: Collection; onChanged: () => void }) {
  const [renaming, setRenaming] = useState(false);
  const depth = Math.min(collection.depth, MAX_DEPTH);
  return (
    <li className={`collection-row depth-${depth}`}>
      <div className="collection-main">
        <Link to={`/collections/${collection.id}`} className="collection-name">
          {collection.name}
        </Link>
        {collection.is_smart && <span className="smart-badge">Smart</span>}
        <span className="muted">
          {plural(collection.sample_count, "sample", "samples")}
          {collection.child_count > 0 && ` · ${plural(collection.child_count, "sub-collection", "sub-collections")}`}
        </span>
        {collection.description && <p className="muted description">{collection.description}</p>}
      </div>
      {renaming ? (
        <RenameForm
          collection={collection}
          onCancel={() => setRenaming(false)}
          onSaved={() => {
            setRenaming(false);
            onChanged();
          }}
        />
      ) : (
        <div className="actions">
          <button
            type="button"
            className="secondary"
            aria-label={`Rename ${collection.name}`}
            onClick={() => setRenaming(true)}
          >
            Rename
          </button>
          <DeleteCollection collection={collection} onDeleted={onChanged} />
        </div>
      )}
    </li>
  );
}
