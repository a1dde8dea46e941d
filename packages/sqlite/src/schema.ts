/**
 * The SQLite schema of conversations and its migrations, applied in order and recorded in
 * `PRAGMA user_version`. Timestamps are integers (ms since the epoch); JSON fields are text.
 */
import type { Database } from "better-sqlite3";

/** Migration `i` brings `user_version` from `i` to `i + 1`. Never edit one that has shipped. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE conversations (
     id         TEXT PRIMARY KEY,
     user_id    TEXT NOT NULL,
     title      TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     expires_at INTEGER
   );
   CREATE INDEX conversations_by_user ON conversations (user_id, updated_at DESC, id DESC);
   CREATE INDEX conversations_by_expiry ON conversations (expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE messages (
     seq             INTEGER PRIMARY KEY AUTOINCREMENT,
     id              TEXT NOT NULL UNIQUE,
     conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
     role            TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
     content         TEXT NOT NULL,
     tool_calls      TEXT,
     usage           TEXT,
     metadata        TEXT,
     created_at      INTEGER NOT NULL
   );
   CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);`,
];

/**
 * Opens the connection the way the store needs it and brings the schema up to date. The check
 * runs inside `BEGIN IMMEDIATE`, so two processes opening a new file migrate it once.
 */
export function prepareDatabase(db: Database): void {
  db.pragma("journal_mode = WAL");
  // WAL + NORMAL: a crash of the process loses nothing; a power cut may lose the last commits.
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  const migrate = db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `The conversation database has schema version ${version}; this @agentsocket/sqlite knows ${MIGRATIONS.length}`,
      );
    }
    for (let i = version; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  migrate.immediate();
}
