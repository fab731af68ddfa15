/** Create a collection: hand-picked or smart, at the top level or inside another one. */
import { useId, useState, type FormEvent } from "react";

import { ErrorMessage, Note } from "../../components/Alert";
import { Link } from "../../router";
import { createCollection, type NewCollection } from "./api";
import { emptyRuleForm, rulesFromForm, type RuleForm } from "./rules";
import { RulesEditor, SmartExplanation } from "./RulesEditor";
import { RulesPreview } from "./RulesPreview";
import { MAX_DEPTH, type Collection } from "./types";

interface Props {
  /** Where it may go (a picker is shown); leave out to create inside `parentId`. */
  parents?: Collection[];
  parentId?: string;
  heading: string;
  onCreated: (created: Collection) => void;
}

export function NewCollectionForm({ parents, parentId, heading, onCreated }: Props) {
  const id = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [parent, setParent] = useState(parentId ?? "");
  const [smart, setSmart] = useState(false);
  const [ruleForm, setRuleForm] = useState<RuleForm>(emptyRuleForm);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<Collection | null>(null);
  const [busy, setBusy] = useState(false);
  const outcome = rulesFromForm(ruleForm);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setError(null);
    setCreated(null);
    if (smart && outcome.problem) {
      setError(new Error(outcome.problem));
      return;
    }
    const body: NewCollection = { name: name.trim() };
    if (description.trim()) body.description = description.trim();
    if (parent) body.parent_id = parent;
    if (smart && outcome.rules) body.smart_rules = outcome.rules;
    setBusy(true);
    try {
      const collection = await createCollection(body);
      setCreated(collection);
      setName("");
      setDescription("");
      setSmart(false);
      setRuleForm(emptyRuleForm());
      onCreated(collection);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const places = (parents ?? []).filter((collection) => collection.depth < MAX_DEPTH);
  return (
    <form className="card new-collection" onSubmit={onSubmit} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{heading}</h2>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={name}
          required
          maxLength={100}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <input
          id={`${id}-description`}
          value={description}
          maxLength={1000}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      {parents && (
        <div className="field">
          <label htmlFor={`${id}-parent`}>Inside</label>
          <select id={`${id}-parent`} value={parent} onChange={(event) => setParent(event.target.value)}>
            <option value="">Top level</option>
            {places.map((collection) => (
              <option key={collection.id} value={collection.id}>
                {"— ".repeat(collection.depth - 1)}
                {collection.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <fieldset className="choice-group">
        <legend>Kind</legend>
        <label className="choice">
          <input type="radio" name={`${id}-kind`} checked={!smart} onChange={() => setSmart(false)} />
          Hand-picked (you add the samples)
        </label>
        <label className="choice">
          <input type="radio" name={`${id}-kind`} checked={smart} onChange={() => setSmart(true)} />
          Smart (rules pick the samples)
        </label>
      </fieldset>
      {smart && (
        <>
          <SmartExplanation />
          <RulesEditor value={ruleForm} onChange={setRuleForm} />
          <RulesPreview rules={outcome.rules} problem={outcome.problem} />
        </>
      )}
      <ErrorMessage error={error} />
      {created && (
        <Note tone="success">
          Created <Link to={`/collections/${created.id}`}>{created.name}</Link>
          {created.is_smart ? ` with ${created.sample_count} matching sample${created.sample_count === 1 ? "" : "s"}.` : "."}
        </Note>
      )}
      <button type="submit" disabled={busy}>
        {smart ? "Create smart collection" : "Create collection"}
      </button>
    </form>
  );
}
