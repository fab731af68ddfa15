/** The two ways to start a kit: empty, or built by the engine from a collection or a prompt. */
import { useId, useState, type FormEvent } from "react";

import { call } from "../../api/client";
import { useResource } from "../../api/useResource";
import { ErrorMessage } from "../../components/Alert";
import { navigate } from "../../router";
import { KEYS } from "../library/filters";
import { rememberBuild } from "./BuildReport";


/** BPM and key inputs shared by both forms; both are optional. */
function TempoAndKeyFields({ prefix }: { prefix: string }) {
  return (
    <div className="kit-form-row">
      <div className="field">
        <label htmlFor={`${prefix}-bpm`}>BPM (optional)</label>
        <input id={`${prefix}-bpm`} name="bpm" type="number" min={40} max={300} step="any" inputMode="decimal" />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-key`}>Key (optional)</label>
        <select id={`${prefix}-key`} name="musical_key" defaultValue="">
          <option value="">No key</option>
          {KEYS.map((key) => (
            <option key={key}>{key}</option>
          ))}
        </select>
      </div>
    </div>
  );
}

function tempoAndKeyFrom(form: FormData): { bpm?: number; musical_key?: string } {
  const bpm = String(form.get("bpm") ?? "").trim();
  const key = String(form.get("musical_key") ?? "");
  return { ...(bpm ? { bpm: Number(bpm) } : {}), ...(key ? { musical_key: key } : {}) };
}

export function CreateKitForm() {
  const prefix = useId();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const kit = await call("post", "/api/kits", {
        body: { name: String(form.get("name") ?? "").trim(), ...tempoAndKeyFrom(form) },
      });
      navigate(`/kits/${kit.id}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby={`${prefix}-heading`}>
      <h2 id={`${prefix}-heading`}>New kit</h2>
      <div className="field">
        <label htmlFor={`${prefix}-name`}>Kit name</label>
        <input id={`${prefix}-name`} name="name" required maxLength={100} />
      </div>
      <TempoAndKeyFields prefix={prefix} />
      <ErrorMessage error={error} />
      <button type="submit" disabled={busy}>
        Create kit
      </button>
    </form>
  );
}

export function AutoBuildForm() {
  const prefix = useId();
  const [source, setSource] = useState<"collection" | "prompt">("prompt");
  // Without the list the collection choice is empty; the prompt still works.
  const { data: listed, error: listError } = useResource(
    async (signal) => (await call("get", "/api/collections", { query: { limit: 200 }, signal })).collections,
    [],
  );
  const collections = listed ?? (listError ? [] : null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const from =
      source === "collection"
        ? { collection_id: String(form.get("collection_id") ?? "") }
        : { prompt: String(form.get("prompt") ?? "").trim() };
    setBusy(true);
    setError(null);
    try {
      const kit = await call("post", "/api/kits/auto", {
        body: { name: String(form.get("name") ?? "").trim(), ...from, ...tempoAndKeyFrom(form) },
      });
      rememberBuild(kit.id, { prompt: kit.source.prompt, understood: kit.understood, empty: kit.empty });
      navigate(`/kits/${kit.id}?built=${kit.filled}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby={`${prefix}-heading`}>
      <h2 id={`${prefix}-heading`}>Build a kit for me</h2>
      <p className="muted">Each sample lands on a pad that suits it: loops, textures, percussion, then drums.</p>
      <div className="field">
        <label htmlFor={`${prefix}-name`}>Kit name</label>
        <input id={`${prefix}-name`} name="name" required maxLength={100} />
      </div>
      <fieldset className="kit-choice">
        <legend>Build from</legend>
        <label>
          <input type="radio" name="source" checked={source === "prompt"} onChange={() => setSource("prompt")} /> A
          description
        </label>
        <label>
          <input
            type="radio"
            name="source"
            checked={source === "collection"}
            onChange={() => setSource("collection")}
          />{" "}
          A collection
        </label>
      </fieldset>
      {source === "prompt" ? (
        <div className="field">
          <label htmlFor={`${prefix}-prompt`}>Describe the kit</label>
          <input
            id={`${prefix}-prompt`}
            name="prompt"
            required
            maxLength={200}
            placeholder="dusty lo-fi drums at 92"
            aria-describedby={`${prefix}-prompt-help`}
          />
          <p id={`${prefix}-prompt-help`} className="muted">
            A sentence is fine: tempo (“at 92”, “140 bpm”), key (“in F minor”, “Fm”) and words that match your tags,
            titles and vibes (“dark trap kit in F minor 140”).
          </p>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${prefix}-collection`}>Collection</label>
          <select id={`${prefix}-collection`} name="collection_id" required defaultValue="">
            <option value="" disabled>
              {collections === null ? "Loading…" : collections.length ? "Choose a collection" : "No collections yet"}
            </option>
            {collections?.map((collection) => (
              <option key={collection.id} value={collection.id}>
                {"\u00a0\u00a0".repeat(collection.depth ?? 0)}
                {collection.name}
                {collection.sample_count != null ? ` (${collection.sample_count})` : ""}
              </option>
            ))}
          </select>
        </div>
      )}
      <TempoAndKeyFields prefix={`${prefix}-auto`} />
      <ErrorMessage error={error} />
      <button type="submit" disabled={busy}>
        {busy ? "Building…" : "Build kit"}
      </button>
    </form>
  );
}
