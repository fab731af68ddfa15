/** Placeholder: replaced by the real page. */
export function KitPage({ id }: { id: string }) {
  return (
    <section className="card">
      <h1>Kit</h1>
      <p>{id}</p>
    </section>
  );
}
