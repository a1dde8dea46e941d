/**
 * A small arithmetic evaluator for the demo agent's calculator tool: numbers, + - * / % ^,
 * parentheses and unary minus. A recursive-descent parser, never `eval`.
 */

/** Evaluates an arithmetic expression. @throws {Error} with a readable message on bad input. */
export function evaluateExpression(expression: string): number {
  if (typeof expression !== "string" || expression.length > 500)
    throw new Error("Expression must be a string of at most 500 characters");
  const tokens = expression.match(/\d+(?:\.\d+)?|\.\d+|[-+*/%^()]|\S/g) ?? [];
  let position = 0;
  const peek = () => tokens[position];
  const take = () => tokens[position++];

  const primary = (): number => {
    const token = take();
    if (token === "(") {
      const value = sum();
      if (take() !== ")") throw new Error("Missing closing parenthesis");
      return value;
    }
    if (token === "-") return -primary();
    if (token === "+") return primary();
    if (token !== undefined && /^(\d|\.\d)/.test(token)) return Number(token);
    throw new Error(token === undefined ? "Unexpected end of expression" : `Unexpected "${token}"`);
  };
  const power = (): number => {
    const base = primary();
    if (peek() !== "^") return base;
    take();
    return base ** power(); // right-associative
  };
  const product = (): number => {
    let value = power();
    for (let op = peek(); op === "*" || op === "/" || op === "%"; op = peek()) {
      take();
      const right = power();
      value = op === "*" ? value * right : op === "/" ? value / right : value % right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    for (let op = peek(); op === "+" || op === "-"; op = peek()) {
      take();
      value = op === "+" ? value + product() : value - product();
    }
    return value;
  };

  const result = sum();
  if (position < tokens.length) throw new Error(`Unexpected "${tokens[position]}"`);
  if (!Number.isFinite(result)) throw new Error("Result is not a finite number");
  return result;
}
