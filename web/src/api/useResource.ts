/**
 * The one hook for "load something from the API and show it": what was loaded, the error of the
 * last try, whether a load is in flight, and a way to load again. A change of `deps` aborts the
 * load in flight (its late answer is dropped, never shown) and starts a new one; so does unmounting.
 */
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type DependencyList,
  type Dispatch,
  type SetStateAction,
} from "react";

export interface Resource<T> {
  /** The last value loaded (kept while a new load runs unless `keepPrevious` is false). */
  data: T | null;
  /** What the last finished load threw; null after a success. */
  error: unknown;
  loading: boolean;
  /** Load again now (after a change the page made); never rejects: a failure lands in `error`. */
  reload: () => Promise<void>;
  /** Change the loaded value in place (a live update, an answer of a change). */
  setData: Dispatch<SetStateAction<T | null>>;
}

export interface ResourceOptions {
  /** Keep showing the previous value (and error) while `deps` load anew (a list paging); default true. False: a new view starts blank. */
  keepPrevious?: boolean;
  /** Load only while true (e.g. once an id is known); default true. */
  enabled?: boolean;
}

export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  { keepPrevious = true, enabled = true }: ResourceOptions = {},
): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(enabled);
  // The newest `load` closure (it reads the page's current props), without restarting on each render.
  const latest = useRef(load);
  latest.current = load;
  const inFlight = useRef<AbortController | null>(null);

  const run = useCallback(async (): Promise<void> => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setLoading(true);
    try {
      const value = await latest.current(controller.signal);
      if (controller.signal.aborted) return;
      setData(() => value);
      setError(null);
    } catch (caught) {
      if (controller.signal.aborted) return;
      setError(caught);
    } finally {
      if (inFlight.current === controller) {
        inFlight.current = null;
        setLoading(false);
      }
    }
  }, []);

  useEffect(() => {
    if (!enabled) {
      setLoading(false);
      return undefined;
    }
    if (!keepPrevious) {
      setData(null);
      setError(null);
    }
    void run();
    return () => {
      inFlight.current?.abort();
      inFlight.current = null;
    };
    // The caller's deps decide when to load again, as in useEffect.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, ...deps]);

  return { data, error, loading, reload: run, setData };
}
