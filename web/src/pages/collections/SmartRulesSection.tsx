/** A smart collection's rules in words, and editing them with a live preview. */
import { useState } from "react";

import { ErrorMessage } from "../../components/Alert";
import { updateCollection } from "./api";
import { describeRules, formFromRules, rulesFromForm, type RuleForm } from "./rules";
import { RulesEditor, SmartExplanation } from "./RulesEditor";
import { RulesPreview } from "./RulesPreview";
import type { SmartRules } from "./types";

interface Props {
  collectionId: string;
  rules: SmartRules;
  onSaved: () => void;
}

export function SmartRulesSection({ collectionId, rules, onSaved }: Props) {
  const [form, setForm] = useState<RuleForm | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const outcome = form ? rulesFromForm(form) : null;

  async function onSave(): Promise<void> {
    if (!outcome) return;
    if (outcome.problem) {
      setError(new Error(outcome.problem));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await updateCollection(collectionId, { smart_rules: outcome.rules });
      setForm(null);
      onSaved();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="rules-heading">
      <h2 id="rules-heading">Rules</h2>
      <SmartExplanation />
      {form && outcome ? (
        <>
          <RulesEditor value={form} onChange={setForm} />
          <RulesPreview rules={outcome.rules} problem={outcome.problem} />
          <ErrorMessage error={error} />
          <div className="actions">
            <button type="button" disabled={busy} onClick={onSave}>
              Save rules
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setForm(null);
                setError(null);
              }}
            >
              Cancel
            </button>
          </div>
        </>
      ) : (
        <>
          <ul className="rule-list" aria-label="Every sample here meets all of these">
            {describeRules(rules).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <button type="button" onClick={() => setForm(formFromRules(rules))}>
            Edit rules
          </button>
        </>
      )}
    </section>
  );
}
