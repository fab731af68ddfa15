/** Placeholder: replaced by the real page. */
export function CollectionsPage() {
  return (
    <section className="card">
      <h1>Collections</h1>
      
    </section>
  );
}
