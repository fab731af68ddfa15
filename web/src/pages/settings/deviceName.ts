/**
 * Where a session was signed in, in a producer's words ("Chrome 131 on Windows", "Safari on
 * iPhone"), from the User-Agent its browser sent, as account pages elsewhere list them. An
 * agent none of the patterns knows (a script's HTTP library) shows as sent, cut to a line.
 * A dozen patterns cover the browsers a producer signs in with; a parser library would add
 * its weight to every page load for this one line of the account page.
 */

// First match wins: Edge, Opera and Samsung Internet also say "Chrome", and Chrome says "Safari".
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/\bOPR\/(\d+)/, "Opera"],
  [/\bSamsungBrowser\/(\d+)/, "Samsung Internet"],
  [/\b(?:Firefox|FxiOS)\/(\d+)/, "Firefox"],
  [/\bHeadlessChrome\/(\d+)/, "Headless Chrome"],
  [/\bChromium\/(\d+)/, "Chromium"],
  [/\b(?:Chrome|CriOS)\/(\d+)/, "Chrome"],
  [/\bVersion\/(\d+)[\d.]*(?: Mobile\/\w+)? Safari\//, "Safari"],
];

// iPhone and iPad before macOS: their agents say "like Mac OS X".
const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\biPhone\b/, "iPhone"],
  [/\biPad\b/, "iPad"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

const RAW_MAX = 60;

export function deviceName(userAgent: string | null | undefined): string {
  const agent = (userAgent ?? "").trim();
  if (!agent) return "Unknown device";
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent));
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (!browser) return agent.length > RAW_MAX ? `${agent.slice(0, RAW_MAX - 1)}…` : agent;
  const version = browser[0].exec(agent)?.[1];
  const name = version ? `${browser[1]} ${version}` : browser[1];
  return system ? `${name} on ${system}` : name;
}
