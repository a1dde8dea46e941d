/**
 * @agentsocket/core/demo — the offline demo agent behind `agentsocket serve`: scripted answers at
 * a realistic token rate and two real tools (a calculator and a clock). A demo, not a model.
 */
export { createDemoAgent } from "./demo-agent.ts";
export type { DemoAgentOptions } from "./demo-agent.ts";
export { evaluateExpression } from "./calculator.ts";
