// README "Limits and tickets": the browser side of a ticket, typed against the DOM.
declare const token: string;
// #region readme
// Browser: trade the long-lived token for a 30 s single-use ticket, keep the token out of URLs.
const reply = await fetch("/api/auth/websocket", {
  method: "POST",
  headers: { authorization: `Bearer ${token}` },
});
const { ticket } = await reply.json();
const socket = new WebSocket(`wss://${location.host}/ws?ticket=${encodeURIComponent(ticket)}`);
// #endregion
socket.close();
export {};
