/** Import from the SP-404MK2: a ZIP of a project folder (or of an SD-card backup) becomes samples
 * in the library and one kit per project, with the pads' names, tempos and settings. */
import { useId, useState, type FormEvent } from "react";

import { callUpload } from "../../api/client";
import { ErrorMessage } from "../../components/Alert";
import { navigate } from "../../router";

export function DeviceImportForm() {
  const prefix = useId();
  const [error, setError] = useState<unknown>(null);
  const [progress, setProgress] = useState<number | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get("archive");
    if (!(file instanceof File) || file.size === 0) return;
    const form = new FormData();
    form.append("archive", file, file.name);
    setError(null);
    setProgress(0);
    try {
      const { body } = await callUpload("post", "/api/samples/device-import", form, setProgress);
      const first = body.kits[0];
      if (first) navigate(`/kits/${first.kit_id}`);
    } catch (caught) {
      setError(caught);
      setProgress(null);
    }
  }

  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby={`${prefix}-heading`}>
      <h2 id={`${prefix}-heading`}>Import from the SP-404MK2</h2>
      <p className="muted">
        A ZIP of a project folder (PADCONF.BIN and SMPL) or of an SD-card backup: each project
        becomes a kit and each pad&rsquo;s sample joins your library.
      </p>
      <div className="field">
        <label htmlFor={`${prefix}-archive`}>Project ZIP</label>
        <input id={`${prefix}-archive`} name="archive" type="file" accept=".zip,application/zip" required />
      </div>
      {progress !== null && <progress value={progress} max={1} aria-label="Upload progress" />}
      <ErrorMessage error={error} />
      <button type="submit" disabled={progress !== null}>
        Import project
      </button>
    </form>
  );
}
