// Vite's types for `import.meta.env`, and the one variable this app reads.
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The chat path of `agentsocket serve`. @default "ws://127.0.0.1:3000/chat" */
  readonly VITE_CHAT_URL?: string;
}
