/** The collections directly inside one, and a form to make another there. */
import { useResource } from "../../api/useResource";
import { ErrorMessage } from "../../components/Alert";
import { Link } from "../../router";
import { listCollections } from "./api";
import { NewCollectionForm } from "./NewCollectionForm";
import { MAX_DEPTH } from "./types";

export function SubCollections({ parentId, depth }: { parentId: string; depth: number }) {
  const { data: list, error, reload: load } = useResource((signal) => listCollections({ parentId, signal }), [parentId]);

  return (
    <>
      <section className="card" aria-labelledby="children-heading">
        <h2 id="children-heading">Sub-collections</h2>
        <ErrorMessage error={error} />
        {list && list.collections.length === 0 && <p>None yet.</p>}
        {list && list.collections.length > 0 && (
          <ul className="child-list" aria-label="Sub-collections">
            {list.collections.map((child) => (
              <li key={child.id}>
                <Link to={`/collections/${child.id}`}>{child.name}</Link>
                {child.is_smart && <span className="smart-badge">Smart</span>}{" "}
                <span className="muted">
                  {child.sample_count} sample{child.sample_count === 1 ? "" : "s"}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {depth < MAX_DEPTH ? (
        <NewCollectionForm heading="New sub-collection" parentId={parentId} onCreated={load} />
      ) : (
        <p className="muted">Collections nest at most {MAX_DEPTH} levels deep, so this one cannot hold more.</p>
      )}
    </>
  );
}
