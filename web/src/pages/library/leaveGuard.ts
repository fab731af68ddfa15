/**
 * While files are still being sent, leaving the page (a reload, a closed tab, another address)
 * would drop the ones not yet sent without a word: the browser asks first, as it does for an
 * unsaved form. Moving between the app's own pages keeps the uploads going, so only a real
 * unload asks. Batches hold the guard while they send and release it when they are done.
 */
let holders = 0;

function askBeforeLeaving(event: BeforeUnloadEvent): void {
  event.preventDefault();
  // Chromium before 119 and Safari ask only when returnValue is set.
  event.returnValue = "";
}

/** Ask before the page unloads until the returned function is called (once). */
export function holdPage(): () => void {
  if (holders === 0) window.addEventListener("beforeunload", askBeforeLeaving);
  holders += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0) window.removeEventListener("beforeunload", askBeforeLeaving);
  };
}
