// The page: one chat, rendered into #chat.
import { createRoot } from "react-dom/client";
import { Chat } from "./Chat.tsx";

createRoot(document.getElementById("chat")!).render(<Chat />);
