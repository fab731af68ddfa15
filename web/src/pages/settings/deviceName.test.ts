import { describe, expect, it } from "vitest";

import { deviceName } from "./deviceName";

describe("where a session was signed in", () => {
  it("names the browser, its major version and the system", () => {
    expect(
      deviceName(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      ),
    ).toBe("Chrome 131 on Windows");
    expect(
      deviceName(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
      ),
    ).toBe("Safari 17 on macOS");
    expect(deviceName("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")).toBe(
      "Firefox 133 on Linux",
    );
    expect(
      deviceName(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("Safari 17 on iPhone");
  });

  it("tells browsers built on Chrome from Chrome", () => {
    expect(
      deviceName(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
      ),
    ).toBe("Edge 131 on Windows");
    expect(
      deviceName(
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
      ),
    ).toBe("Samsung Internet 25 on Android");
    expect(
      deviceName(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
      ),
    ).toBe("Headless Chrome 156 on Linux");
    expect(
      deviceName(
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("Chrome 131 on iPad");
  });

  it("shows an agent it does not know as sent, cut to a line", () => {
    expect(deviceName("python-httpx/0.28.1")).toBe("python-httpx/0.28.1");
    expect(deviceName("x".repeat(100))).toBe(`${"x".repeat(59)}…`);
    expect(deviceName(null)).toBe("Unknown device");
    expect(deviceName("  ")).toBe("Unknown device");
  });
});
