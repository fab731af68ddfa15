/** Placeholder: replaced by the real page. */
export function SearchPage() {
  return (
    <section className="card">
      <h1>Search</h1>
      
    </section>
  );
}
