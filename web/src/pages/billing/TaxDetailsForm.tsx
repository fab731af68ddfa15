/**
 * Stripe Tax works out tax from the producer's billing address, so with tax collection on
 * (`tax_collection` in GET /api/billing/plans) the first payment waits for it; a tax id, if
 * given, is printed on every invoice.
 */
import { useEffect, useRef, useState, type FormEvent } from "react";

import { call } from "../../api/client";
import { ErrorMessage } from "../../components/Alert";

// Stripe's tax id types for the places most producers pay from; Stripe knows many more.
const TAX_ID_TYPES = [
  ["eu_vat", "EU VAT number"],
  ["gb_vat", "UK VAT number"],
  ["au_abn", "Australian ABN"],
  ["ca_bn", "Canadian BN"],
  ["us_ein", "US EIN"],
] as const;

interface Props {
  planName: string;
  onSaved: () => void;
  onClose: () => void;
}

export function TaxDetailsForm({ planName, onSaved, onClose }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [country, setCountry] = useState("");
  const [postalCode, setPostalCode] = useState("");
  const [taxIdType, setTaxIdType] = useState<string>(TAX_ID_TYPES[0][0]);
  const [taxId, setTaxId] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => heading.current?.focus(), []);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call("post", "/api/billing/tax-details", {
        body: {
          country: country.trim().toUpperCase(),
          postal_code: postalCode.trim() || null,
          tax_id_type: taxId.trim() ? taxIdType : null,
          tax_id_value: taxId.trim() || null,
        },
      });
      onSaved();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <section className="card payment" aria-labelledby="tax-heading">
      <h2 id="tax-heading" ref={heading} tabIndex={-1}>
        Billing address for {planName}
      </h2>
      <p className="muted">Tax is worked out from where you are billed. A tax id is printed on your invoices.</p>
      <form onSubmit={submit}>
        <label>
          Country (two letters, e.g. DE)
          <input
            value={country}
            onChange={(e) => setCountry(e.target.value)}
            required
            pattern="[A-Za-z]{2}"
            maxLength={2}
            autoComplete="country"
          />
        </label>
        <label>
          Postal code
          <input value={postalCode} onChange={(e) => setPostalCode(e.target.value)} autoComplete="postal-code" />
        </label>
        <label>
          Tax id type
          <select value={taxIdType} onChange={(e) => setTaxIdType(e.target.value)}>
            {TAX_ID_TYPES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tax id (optional)
          <input value={taxId} onChange={(e) => setTaxId(e.target.value)} maxLength={40} />
        </label>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save and continue"}
          </button>
          <button type="button" className="secondary-button" onClick={onClose} disabled={busy}>
            Not now
          </button>
        </div>
      </form>
    </section>
  );
}
