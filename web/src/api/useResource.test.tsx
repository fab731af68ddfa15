// @vitest-environment jsdom
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { useResource, type Resource, type ResourceOptions } from "./useResource";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** A promise the test settles by hand, remembering the signal it was started with. */
interface Pending<T> {
  key: string;
  signal: AbortSignal;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

let root: Root;
let container: HTMLElement;
let pending: Pending<string>[];
let seen: Resource<string>;

function loader(key: string) {
  return (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      pending.push({ key, signal, resolve, reject });
    });
}

function Probe({ id, options }: { id: string; options?: ResourceOptions }) {
  seen = useResource(loader(id), [id], options);
  return null;
}

async function render(id: string, options?: ResourceOptions): Promise<void> {
  await act(async () => root.render(<Probe id={id} options={options} />));
}

async function settle(index: number, value: string | Error): Promise<void> {
  await act(async () => {
    if (value instanceof Error) pending[index].reject(value);
    else pending[index].resolve(value);
  });
}

beforeEach(() => {
  pending = [];
  container = document.createElement("div");
  root = createRoot(container);
});

afterEach(async () => {
  await act(async () => root.unmount());
});

describe("useResource", () => {
  it("loads on mount and reports loading until the answer arrives", async () => {
    await render("a");
    expect(seen).toMatchObject({ data: null, error: null, loading: true });
    await settle(0, "A");
    expect(seen).toMatchObject({ data: "A", error: null, loading: false });
  });

  it("keeps the data and reports the error of a failed load", async () => {
    await render("a");
    await settle(0, "A");
    await act(async () => {
      void seen.reload();
    });
    const failure = new Error("down");
    await settle(1, failure);
    expect(seen).toMatchObject({ data: "A", error: failure, loading: false });
  });

  it("clears the error after a later success", async () => {
    await render("a");
    await settle(0, new Error("down"));
    await act(async () => {
      void seen.reload();
    });
    await settle(1, "A");
    expect(seen).toMatchObject({ data: "A", error: null });
  });

  it("aborts the load in flight when the deps change and never shows its late answer", async () => {
    await render("a");
    await render("b");
    expect(pending[0].signal.aborted).toBe(true);
    await settle(1, "B");
    await settle(0, "A (late)");
    expect(seen.data).toBe("B");
    expect(seen.loading).toBe(false);
  });

  it("keeps the previous data while new deps load, unless told not to", async () => {
    await render("a");
    await settle(0, "A");
    await render("b");
    expect(seen).toMatchObject({ data: "A", loading: true });

    await render("c", { keepPrevious: false });
    expect(seen).toMatchObject({ data: null, loading: true });
  });

  it("waits while disabled", async () => {
    await render("a", { enabled: false });
    expect(pending).toHaveLength(0);
    expect(seen.loading).toBe(false);
  });

  it("aborts on unmount", async () => {
    await render("a");
    await act(async () => root.unmount());
    expect(pending[0].signal.aborted).toBe(true);
    root = createRoot(container);
  });

  it("lets the page change the loaded value in place", async () => {
    await render("a");
    await settle(0, "A");
    await act(async () => seen.setData((current) => `${current}+`));
    expect(seen.data).toBe("A+");
  });
});
