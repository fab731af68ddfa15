/** Placeholder: replaced by the real page. */
export function KitsPage() {
  return (
    <section className="card">
      <h1>Kits</h1>
      
    </section>
  );
}
