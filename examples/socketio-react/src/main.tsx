// The page under test: seed 001's hook and chat component, and seed 002's streaming component.
import { createRoot } from "react-dom/client";
import { AiChatComponent } from "./seeds/AiChatComponent.tsx";
import { AIStreamingComponent } from "./seeds/AIStreamingComponent.jsx";
import { useAiSocket } from "./seeds/useAiSocket.tsx";

function HookStatus({ accessToken }) {
  const { isConnected } = useAiSocket(accessToken);
  return <div id="hook">hook: {isConnected ? "connected" : "disconnected"}</div>;
}

createRoot(document.getElementById("root")).render(
  <>
    <HookStatus accessToken={__AI_TOKEN__} />
    <section id="seed-001">
      <AiChatComponent userId="user-uuid" accessToken={__AI_TOKEN__} />
    </section>
    <section id="seed-002">
      <AIStreamingComponent />
    </section>
  </>,
);
