/**
 * How the demo agent picks a tool from a prompt, the way a model would. Every scan here is
 * linear in the prompt's length: the earlier single regex backtracked quadratically, and a
 * 32,000-digit prompt cost ~550 ms of CPU per frame (issue 8, hole 6).
 */

/** A tool call planned from a prompt. */
export interface PlannedToolCall {
  toolName: string;
  args: Record<string, unknown>;
}

// Maximal runs of the characters an arithmetic expression is made of. A character class with a
// greedy `+` and the `g` flag resumes after each run: each character is looked at once.
const MATH_RUN = /[\d.\s()+\-*/%^]+/g;
// A digit, then an operator, then a digit. Each try starts at a digit, and the `[\s)]*` and
// `[\s(]*` runs it crosses hold no digits, so no two tries scan the same characters.
const OPERATION = /\d[\s)]*[-+*/%^][\s(]*[-+]?[\d(]/;
const CLOCK_WORDS = /\b(time|date|today|clock)\b/i;

/** The first arithmetic expression in `prompt` (at least one operation), or `undefined`. */
export function findExpression(prompt: string): string | undefined {
  for (const [run] of prompt.matchAll(MATH_RUN)) {
    if (!OPERATION.test(run)) continue;
    // Start where the old pattern did: optional signs and parentheses, then the first digit.
    let start = run.search(/\d/);
    while (start > 0 && "-+(".includes(run[start - 1]!)) start--;
    // End at the last character that can close an expression (a digit, ".", or ")").
    let end = run.length;
    while (end > start && !/[\d.)]/.test(run[end - 1]!)) end--;
    return run.slice(start, end).trim();
  }
  return undefined;
}

/** The tool a prompt asks for: the calculator for arithmetic, the clock for time words. */
export function planTool(prompt: string): PlannedToolCall | undefined {
  const expression = findExpression(prompt);
  if (expression !== undefined) return { toolName: "calculator", args: { expression } };
  if (CLOCK_WORDS.test(prompt)) return { toolName: "current_time", args: { timeZone: "UTC" } };
  return undefined;
}
