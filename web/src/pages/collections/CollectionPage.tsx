/** One collection: its samples, adding and removing them, its rules, sub-collections and actions. */
import { useRef, useState } from "react";

import { ApiError } from "../../api/errors";
import { useResource } from "../../api/useResource";
import { ErrorMessage, Note } from "../../components/Alert";
import { Link, navigate } from "../../router";
import { AddSamples } from "./AddSamples";
import { MEMBERS_PER_PAGE, getCollection, reanalyzeCollection } from "./api";
import { DeleteCollection } from "./DeleteCollection";
import { MemberList } from "./MemberList";
import { RenameForm } from "./RenameForm";
import { SmartRulesSection } from "./SmartRulesSection";
import { SubCollections } from "./SubCollections";
import type { CollectionDetail, Reanalysis } from "./types";
import "./collections.css";

function Breadcrumbs({ path }: { path: CollectionDetail["path"] }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        <li>
          <Link to="/collections">Collections</Link>
        </li>
        {path.slice(0, -1).map((step) => (
          <li key={step.id}>
            <Link to={`/collections/${step.id}`}>{step.name}</Link>
          </li>
        ))}
      </ol>
    </nav>
  );
}

function ReanalyseAll({ collectionId, disabled }: { collectionId: string; disabled: boolean }) {
  const [result, setResult] = useState<Reanalysis | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function onClick(): Promise<void> {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await reanalyzeCollection(collectionId));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="reanalyse">
      <button type="button" className="secondary" disabled={busy || disabled} onClick={onClick}>
        Re-analyse all
      </button>
      <ErrorMessage error={error} />
      {result && (
        <Note tone="success">
          Queued {result.queued} analys{result.queued === 1 ? "is" : "es"}. Each sample shows its progress on its
          page.
        </Note>
      )}
    </div>
  );
}

export function CollectionPage({ id }: { id: string }) {
  const [offset, setOffset] = useState(0);
  const [renaming, setRenaming] = useState(false);
  const shown = useRef<CollectionDetail | null>(null);

  const {
    data: collection,
    error,
    reload: load,
  } = useResource(
    async (signal) => {
      const detail = await getCollection(id, offset, signal);
      // Removing the last sample of the last page leaves that page empty: step back one (the
      // page on screen stays until that one arrives).
      if (detail.samples.length === 0 && offset > 0) {
        setOffset(Math.max(0, offset - MEMBERS_PER_PAGE));
        return shown.current ?? detail;
      }
      return detail;
    },
    [id, offset],
  );
  shown.current = collection;

  // Someone else's collection answers 404 exactly like a missing one (a malformed id 422).
  if (error instanceof ApiError && (error.status === 404 || error.status === 422)) {
    return (
      <section className="card narrow">
        <h1>Collection not found</h1>
        <p>This collection does not exist or is not one of yours.</p>
        <p>
          <Link to="/collections">Back to your collections</Link>
        </p>
      </section>
    );
  }
  if (!collection) return error ? <ErrorMessage error={error} /> : <p role="status">Loading…</p>;

  const parent = collection.path.length > 1 ? collection.path[collection.path.length - 2] : null;
  const pages = Math.max(1, Math.ceil(collection.total / MEMBERS_PER_PAGE));
  const pageNumber = Math.floor(offset / MEMBERS_PER_PAGE) + 1;
  return (
    <>
      <Breadcrumbs path={collection.path} />
      <h1>{collection.name}</h1>
      {collection.is_smart && (
        <p>
          <span className="smart-badge">Smart collection</span>
        </p>
      )}
      {collection.description && <p className="description">{collection.description}</p>}
      <ErrorMessage error={error} />
      <div className="card collection-actions">
        {renaming ? (
          <RenameForm
            collection={collection}
            onCancel={() => setRenaming(false)}
            onSaved={() => {
              setRenaming(false);
              void load();
            }}
          />
        ) : (
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setRenaming(true)}>
              Rename
            </button>
            <DeleteCollection
              collection={collection}
              onDeleted={() => navigate(parent ? `/collections/${parent.id}` : "/collections")}
            />
          </div>
        )}
      </div>
      {collection.is_smart && collection.smart_rules && (
        <SmartRulesSection collectionId={collection.id} rules={collection.smart_rules} onSaved={load} />
      )}
      <section className="card" aria-labelledby="members-heading">
        <div className="section-head">
          <h2 id="members-heading">
            Samples <span className="muted">({collection.total})</span>
          </h2>
          <ReanalyseAll collectionId={collection.id} disabled={collection.total === 0} />
        </div>
        {collection.total === 0 ? (
          <p>
            {collection.is_smart
              ? "No sample in your library meets these rules right now."
              : "No samples yet. Add some from your library below."}
          </p>
        ) : (
          <MemberList
            collectionId={collection.id}
            samples={collection.samples}
            removable={!collection.is_smart}
            onRemoved={load}
          />
        )}
        {pages > 1 && (
          <nav aria-label="Pages" className="pager">
            <button type="button" disabled={pageNumber <= 1} onClick={() => setOffset(offset - MEMBERS_PER_PAGE)}>
              Previous
            </button>
            <span>
              Page {pageNumber} of {pages}
            </span>
            <button type="button" disabled={pageNumber >= pages} onClick={() => setOffset(offset + MEMBERS_PER_PAGE)}>
              Next
            </button>
          </nav>
        )}
      </section>
      {!collection.is_smart && (
        <AddSamples
          collectionId={collection.id}
          present={new Set(collection.samples.map((sample) => sample.id))}
          onAdded={load}
        />
      )}
      <SubCollections key={collection.id} parentId={collection.id} depth={collection.depth} />
    </>
  );
}
