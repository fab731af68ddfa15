/** Search: words ("vibe" search) by default, or sounds like one sample with `?similar=<id>`. */
import { Link, useLocation } from "../../router";
import { SimilarSearch } from "./SimilarSearch";
import { TextSearch } from "./TextSearch";
import "./search.css";

export function SearchPage() {
  const { query } = useLocation();
  const similar = query.get("similar");
  return (
    <>
      <h1>Search</h1>
      {similar ? (
        <>
          <p>
            <Link to="/search">← Search by words</Link>
          </p>
          <SimilarSearch key={similar} />
        </>
      ) : (
        <TextSearch />
      )}
    </>
  );
}
