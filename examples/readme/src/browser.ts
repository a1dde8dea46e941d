// README "The agent": the browser side, typed against the DOM (the README shows it as JavaScript).
declare const output: HTMLElement;
declare const stop: HTMLButtonElement;
// #region readme
// Browser
const ws = new WebSocket(`ws://localhost:3000/ws`);
ws.onopen = () =>
  ws.send(JSON.stringify({ type: "stream", requestId: "r1", payload: { prompt: "Hello!" } }));
ws.onmessage = ({ data }) => {
  const frame = JSON.parse(data); // stream_start, chunk {seq, content}…, stream_complete
  if (frame.type === "chunk") output.textContent += frame.content;
};
stop.onclick = () => ws.send(JSON.stringify({ type: "cancel", payload: { requestId: "r1" } }));
// #endregion
export {};
