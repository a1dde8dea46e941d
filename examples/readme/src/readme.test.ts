/**
 * Keeps the README's code honest: every ```ts and ```js block in README.md must be the `readme`
 * region of one of this package's snippet files, which the workspace typecheck covers — so a
 * snippet that stops compiling fails `npm test`, and so does a README edited without its file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "../../../README.md"), "utf8");

const blocks = [...readme.matchAll(/^```(?:ts|js)\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

const regions = new Map<string, string>();
for (const name of readdirSync(here).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
  const text = readFileSync(join(here, name), "utf8");
  const region = /^\/\/ #region readme\n([\s\S]*?)^\/\/ #endregion$/m.exec(text);
  if (region) regions.set(name, region[1]!);
}

describe("README code blocks", () => {
  it("the README has code blocks and every snippet file has a readme region", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    expect(regions.size).toBe(
      readdirSync(here).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).length,
    );
  });

  it.each(blocks.map((block) => [block.split("\n")[0], block]))(
    "block starting %j is a typechecked snippet",
    (_first, block) => {
      expect([...regions.values()]).toContain(block);
    },
  );

  it("every snippet appears in the README", () => {
    for (const [name, region] of regions) expect(blocks, name).toContain(region);
  });
});
