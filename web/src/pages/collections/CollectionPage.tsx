/** Placeholder: replaced by the real page. */
export function CollectionPage({ id }: { id: string }) {
  return (
    <section className="card">
      <h1>Collection</h1>
      <p>{id}</p>
    </section>
  );
}
