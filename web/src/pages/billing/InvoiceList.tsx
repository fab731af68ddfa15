/** The producer's invoices, newest first, with Stripe's hosted page and PDF for each. */
import type { Invoice } from "./types";
import { formatDay, formatMoney } from "./planChange";

export function InvoiceList({ invoices }: { invoices: Invoice[] }) {
  return (
    <section className="card" aria-labelledby="invoices-heading">
      <h2 id="invoices-heading">Invoices</h2>
      {invoices.length === 0 ? (
        <p className="muted">No invoices yet.</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="invoices-heading" tabIndex={0}>
          <table className="invoices">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Number</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Links</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((invoice) => (
                <tr key={invoice.id}>
                  <td>{formatDay(invoice.created_at)}</td>
                  <td>{invoice.number ?? "—"}</td>
                  <td>{formatMoney(invoice.amount_due, invoice.currency)}</td>
                  <td className="status">{invoice.status}</td>
                  <td className="invoice-links">
                    {invoice.hosted_invoice_url && (
                      <a href={invoice.hosted_invoice_url} target="_blank" rel="noopener noreferrer">
                        View<span className="visually-hidden"> invoice {invoice.number}</span>
                      </a>
                    )}
                    {invoice.invoice_pdf && (
                      <a href={invoice.invoice_pdf} target="_blank" rel="noopener noreferrer">
                        PDF<span className="visually-hidden"> of invoice {invoice.number}</span>
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
