/** Form submission state shared by the small auth forms: busy flag, error, success message. */
import { useState, type FormEvent } from "react";

export function useSubmit(action: (form: FormData) => Promise<string | void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const message = await action(new FormData(event.currentTarget));
      if (message) setDone(message);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, done, onSubmit };
}
