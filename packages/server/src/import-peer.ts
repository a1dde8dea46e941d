/**
 * Loads an optional peer dependency (a framework, the AI SDK) the first time it is needed, so
 * `@agentsocket/server` loads only what it is asked for. A peer that is not installed becomes an
 * error that names the packages to install.
 */

/** A peer dependency that is needed but not installed; the message says what to install. */
export class MissingPeerError extends Error {
  override readonly name = "MissingPeerError";
  /** The packages to `npm install`. */
  readonly packages: readonly string[];

  constructor(feature: string, packages: readonly string[], cause: unknown) {
    const names =
      packages.length === 1
        ? packages[0]
        : `${packages.slice(0, -1).join(", ")} and ${packages.at(-1)}`;
    super(
      `${feature} needs ${names}, which ${packages.length === 1 ? "is" : "are"} not installed: ` +
        `npm install ${packages.join(" ")}`,
      { cause },
    );
    this.packages = packages;
  }
}

/**
 * Runs `load` (a literal `() => import("pkg")`, which bundlers and type-checkers can follow) and
 * returns the module.
 * @param load imports the peer.
 * @param feature what needs the peer, for the message, e.g. `The "express" framework`.
 * @param packages what to `npm install` for it.
 * @throws {MissingPeerError} `<feature> needs <packages>…: npm install <packages>` (the original
 * error as `cause`) when one of `packages` is not installed; any other failure as it is.
 * @example
 * const { default: express } = await importPeer(() => import("express"), 'The "express" framework', ["express"]);
 */
export async function importPeer<T>(
  load: () => Promise<T>,
  feature: string,
  packages: readonly string[],
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!packages.some((name) => isMissingPackage(error, name))) throw error;
    throw new MissingPeerError(feature, packages, error);
  }
}

/** Node's "Cannot find package 'x' imported from …", not a missing file inside an installed one. */
function isMissingPackage(error: unknown, name: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    error.message.includes(`'${name}'`)
  );
}
