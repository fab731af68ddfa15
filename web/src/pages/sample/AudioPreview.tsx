/**
 * `<audio src>` cannot send an Authorization header, so the preview is fetched with the token
 * into a Blob URL (the CSP allows `media-src blob:`). Fetched on request, not on page load: a
 * long loop is megabytes a producer may not want.
 */
import { useEffect, useState } from "react";

import { callRaw } from "../../api/client";
import { ErrorMessage } from "../../components/Alert";

export function AudioPreview({ sampleId, label }: { sampleId: string; label: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);

  async function load(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      const response = await callRaw("get", "/api/samples/{sample_id}/stream", { params: { sample_id: sampleId } });
      setUrl(URL.createObjectURL(await response.blob()));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="preview">
      {url ? (
        <audio controls src={url} aria-label={`Preview of ${label}`} />
      ) : (
        <button type="button" onClick={load} disabled={busy}>
          {busy ? "Loading preview…" : "Load preview"}
        </button>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}
