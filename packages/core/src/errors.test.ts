/**
 * `docs/errors.md` and the `ERRORS` table say the same thing: every code documented once with the
 * table's status, close code and frame flag, every table row of the page agreeing, nothing
 * documented that the table lacks.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ERRORS, WebSocketError, type ErrorSpec } from "./errors.ts";

const here = dirname(fileURLToPath(import.meta.url));
const page = readFileSync(join(here, "../../../docs/errors.md"), "utf8");
const table: Record<string, ErrorSpec> = ERRORS;

/** `### \`CODE\`` sections and the summary line under each. */
function documentedCodes(): Map<string, string> {
  const sections = new Map<string, string>();
  for (const match of page.matchAll(/^### `([A-Z_]+)`\n\n(.*)$/gm)) {
    expect(sections.has(match[1]!), `${match[1]} is documented twice`).toBe(false);
    sections.set(match[1]!, match[2]!);
  }
  return sections;
}

/** The summary line a code's row of the table calls for. */
function summaryOf(spec: ErrorSpec): string {
  const close = spec.closeCode === undefined ? "no close code" : `close ${spec.closeCode}`;
  return `HTTP ${spec.status} · ${close} · ${spec.frame ? "frame" : "not a frame"}`;
}

/** Rows of the page's markdown tables that name one code: [first cell, code]. */
function tableRows(): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const match of page.matchAll(/^\| (\d{3,4}) +\| `([A-Z_]+)` +\|/gm))
    rows.push([match[1]!, match[2]!]);
  return rows;
}

describe("docs/errors.md", () => {
  it("documents every code of ERRORS with its status, close code and frame flag", () => {
    const sections = documentedCodes();
    for (const [code, spec] of Object.entries(table)) {
      expect(sections.get(code), `### \`${code}\` in docs/errors.md`).toBe(summaryOf(spec));
    }
  });

  it("documents no code that ERRORS lacks", () => {
    const unknown = [...documentedCodes().keys(), ...tableRows().map(([, code]) => code)].filter(
      (code) => !Object.hasOwn(table, code),
    );
    expect(unknown).toEqual([]);
  });

  it("gives each code in the handshake and close-code tables the table's status or close code", () => {
    const rows = tableRows();
    expect(rows.length).toBeGreaterThan(10);
    for (const [number, code] of rows) {
      const spec = table[code]!;
      const expected = number.length === 3 ? spec.status : spec.closeCode;
      expect(Number(number), `the row "${number} ${code}"`).toBe(expected);
    }
  });
});

describe("WebSocketError", () => {
  it("takes its status and close code from the table unless given", () => {
    const tooLarge = new WebSocketError("big", { code: "MESSAGE_TOO_LARGE" });
    expect([tooLarge.status, tooLarge.closeCode]).toEqual([413, 1009]);
    const own = new WebSocketError("mine", { code: "MY_CODE", status: 418 });
    expect([own.status, own.closeCode]).toEqual([418, undefined]);
  });
});
