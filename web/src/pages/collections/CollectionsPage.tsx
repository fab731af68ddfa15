/** All of a producer's collections as a tree, with the plan's limit and a form for a new one. */
import { useState } from "react";

import { useResource } from "../../api/useResource";

import { ErrorMessage } from "../../components/Alert";
import { WARNING_RATIO } from "../../format";
import { LIST_LIMIT, listCollections } from "./api";
import { CollectionRow } from "./CollectionRow";
import { NewCollectionForm } from "./NewCollectionForm";
import type { CollectionList } from "./types";
import "./collections.css";

function QuotaLine({ quota }: { quota: CollectionList["quota"] }) {
  if (quota.limit == null) return <p className="muted">{quota.used} collections · no limit on your plan.</p>;
  const full = quota.used >= quota.limit;
  const near = !full && quota.used >= WARNING_RATIO * quota.limit;
  return (
    <p className={full || near ? "warning" : "muted"} data-testid="collections-quota">
      {quota.used} of {quota.limit} collections used on your plan.
      {full && " Delete one or upgrade to create more."}
      {near && " You are close to your plan's limit."}
    </p>
  );
}

export function CollectionsPage() {
  const [offset, setOffset] = useState(0);
  const { data: list, error, reload: load } = useResource((signal) => listCollections({ offset, signal }), [offset]);

  return (
    <>
      <h1>Collections</h1>
      <section className="card" aria-labelledby="collections-heading">
        <h2 id="collections-heading">Your collections</h2>
        <ErrorMessage error={error} />
        {!list && !error && <p role="status">Loading…</p>}
        {list && (
          <>
            <QuotaLine quota={list.quota} />
            {list.total === 0 ? (
              <p>No collections yet. Create one below to group samples by project, sound or mood.</p>
            ) : (
              <ul className="collection-tree" aria-label="Collections">
                {list.collections.map((collection) => (
                  <CollectionRow key={collection.id} collection={collection} onChanged={load} />
                ))}
              </ul>
            )}
            {list.total > LIST_LIMIT && (
              <nav aria-label="Pages" className="pager">
                <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - LIST_LIMIT))}>
                  Previous
                </button>
                <button
                  type="button"
                  disabled={offset + LIST_LIMIT >= list.total}
                  onClick={() => setOffset(offset + LIST_LIMIT)}
                >
                  Next
                </button>
              </nav>
            )}
          </>
        )}
      </section>
      <NewCollectionForm heading="New collection" parents={list?.collections ?? []} onCreated={load} />
    </>
  );
}
