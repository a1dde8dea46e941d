/**
 * The deployment files (Dockerfile, deploy/docker-compose.yml, deploy/nginx.conf,
 * deploy/k8s/agentsocket.yaml) cannot be run here — no images can be pulled — so they are
 * parsed and held to the code: every variable they set is one `agentsocket serve` reads (its
 * help text), every probe and health check is a route the server has, the image runs the
 * package's bin, and the grace periods cover the drain.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { USAGE } from "./cli.ts";
import { createDemoAgent, createServer } from "./index.ts";
import { WebSocketConnectionManager } from "@agentsocket/core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const serverPackage = JSON.parse(read("packages/server/package.json")) as {
  publishConfig: { bin: { agentsocket: string } };
};

/** The variables `agentsocket serve` documents in `agentsocket help` (and Node's NODE_ENV). */
const KNOWN_ENV = new Set(
  [...USAGE.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\bPORT\b|\bHOST\b/g)].map((m) => m[0]),
);
KNOWN_ENV.add("NODE_ENV");

/** Parsed YAML, walked by the assertions below (a wrong path fails them). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** Routes `createServer` serves, as "GET /api/health". */
async function serverRoutes() {
  const server = await createServer(createDemoAgent(), { framework: "hono" });
  return new Set(server.getRoutes().map((route) => `${route.method} ${route.path}`));
}

/** The drain the files configure, in seconds (AGENTSOCKET_DRAIN_MS). */
const drainSeconds = (value: unknown) => Number(value) / 1000;
/** The manager's defaults: what serve runs with. */
const WEBSOCKET_DEFAULTS = new WebSocketConnectionManager().config;
const closeSeconds = WEBSOCKET_DEFAULTS.closeTimeout / 1000;

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const final = instructions.slice(instructions.findLastIndex((line) => line.startsWith("FROM ")));
  const env = Object.fromEntries(
    final
      .filter((line) => line.startsWith("ENV "))
      .flatMap((line) => [...line.slice(4).matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])),
  );

  it("builds in one node:24-slim stage and runs in another, as a non-root user", () => {
    const stages = instructions.filter((line) => line.startsWith("FROM "));
    expect(stages).toEqual(["FROM node:24-slim AS build", "FROM node:24-slim"]);
    const user = final.filter((line) => line.startsWith("USER ")).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)\b/);
  });

  it("runs the package's bin with `serve`, as npm start does", () => {
    const cmd = final.find((line) => line.startsWith("CMD "))!;
    const args = JSON.parse(cmd.slice(4)) as string[];
    const bin = join("packages/server", serverPackage.publishConfig.bin.agentsocket);
    expect(args).toEqual(["node", "--conditions=agentsocket-dist", bin, "serve"]);
    const start = (JSON.parse(read("package.json")) as { scripts: { start: string } }).scripts
      .start;
    expect(start).toContain(`${args.slice(1).join(" ")}`);
    expect(existsSync(join(root, "packages/server/src/bin.ts"))).toBe(true);
  });

  it("sets only variables serve reads, listens on every interface, and checks a real route", async () => {
    for (const name of Object.keys(env)) expect(KNOWN_ENV, name).toContain(name);
    expect(env.HOST).toBe("0.0.0.0");
    expect(final).toContain(`EXPOSE ${env.PORT}`);
    const check = final.find((line) => line.startsWith("HEALTHCHECK "))!;
    const path = /'(\/[^']+)'\)/.exec(check)?.[1];
    expect([...(await serverRoutes())]).toContain(`GET ${path}`);
  });
});

describe("deploy/docker-compose.yml and deploy/nginx.conf", () => {
  const compose = parse(read("deploy/docker-compose.yml")) as {
    services: Record<string, Record<string, Loose>>;
  };
  const app = compose.services.agentsocket!;
  const nginx = read("deploy/nginx.conf")
    .split("\n")
    .filter((line) => !line.trim().startsWith("#"))
    .join("\n");

  it("runs three replicas with Redis, PostgreSQL and nginx, built from the Dockerfile", () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      "agentsocket",
      "nginx",
      "postgres",
      "redis",
    ]);
    expect(app.deploy.replicas).toBe(3);
    expect(existsSync(join(root, "deploy", app.build.context, app.build.dockerfile))).toBe(true);
    expect(new URL(app.environment.REDIS_URL).hostname).toBe("redis");
    expect(new URL(app.environment.DATABASE_URL).hostname).toBe("postgres");
    const [mount] = (compose.services.nginx!.volumes as string[])[0]!.split(":");
    expect(existsSync(join(root, "deploy", mount!))).toBe(true);
  });

  it("sets only variables serve reads, and gives the drain time to finish", () => {
    for (const name of Object.keys(app.environment)) expect(KNOWN_ENV, name).toContain(name);
    const grace = Number(/^(\d+)s$/.exec(app.stop_grace_period)?.[1]);
    expect(grace).toBeGreaterThanOrEqual(
      drainSeconds(app.environment.AGENTSOCKET_DRAIN_MS) + closeSeconds,
    );
  });

  it("proxies WebSocket upgrades with the Host kept, long timeouts and no buffering", () => {
    expect(nginx).toMatch(/proxy_http_version 1\.1;/);
    expect(nginx).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(nginx).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(nginx).toMatch(/map \$http_upgrade \$connection_upgrade/);
    // $http_host keeps the port, which the same-origin check compares.
    expect(nginx).toMatch(/proxy_set_header Host \$http_host;/);
    expect(nginx).toMatch(/proxy_buffering off;/);
    const readTimeout = Number(/proxy_read_timeout (\d+)s;/.exec(nginx)?.[1]);
    expect(readTimeout).toBeGreaterThan((10 * WEBSOCKET_DEFAULTS.pingInterval) / 1000);
    expect(nginx).toContain(`server agentsocket:${app.environment.PORT};`);
    expect(nginx).not.toMatch(/ip_hash|sticky/);
  });
});

describe("deploy/k8s/agentsocket.yaml", () => {
  const docs = parseAllDocuments(read("deploy/k8s/agentsocket.yaml")).map(
    (doc) => doc.toJS() as Record<string, Loose>,
  );
  const byKind = (kind: string) => docs.find((doc) => doc.kind === kind)!;
  const deployment = byKind("Deployment");
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const config = byKind("ConfigMap").data as Record<string, string>;

  it("probes liveness at {basePath}/health and readiness at {basePath}/ready on the served port", async () => {
    const routes = await serverRoutes();
    const server = await createServer(createDemoAgent(), { framework: "hono" });
    expect(container.livenessProbe.httpGet.path).toBe(`${server.basePath}/health`);
    expect(container.readinessProbe.httpGet.path).toBe(`${server.basePath}/ready`);
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      expect(routes).toContain(`GET ${probe.httpGet.path}`);
      const port = container.ports.find((p: { name: string }) => p.name === probe.httpGet.port);
      expect(String(port.containerPort)).toBe(config.PORT);
    }
  });

  it("waits in preStop, then gives the drain its time before SIGKILL", () => {
    const [command, seconds] = container.lifecycle.preStop.exec.command as [string, string];
    expect(command).toBe("sleep");
    const needed = Number(seconds) + drainSeconds(config.AGENTSOCKET_DRAIN_MS) + closeSeconds;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(needed);
  });

  it("runs 3 non-root replicas, configured only with variables serve reads", () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const secret = byKind("Secret").stringData as Record<string, string>;
    for (const name of [...Object.keys(config), ...Object.keys(secret)])
      expect(KNOWN_ENV, name).toContain(name);
    const service = byKind("Service");
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports[0].targetPort).toBe("http");
  });
});

describe("docs/deployment.md", () => {
  it("covers every deployment file and the drain variable", () => {
    const page = read("docs/deployment.md");
    for (const file of [
      "Dockerfile",
      "deploy/docker-compose.yml",
      "deploy/nginx.conf",
      "deploy/k8s/agentsocket.yaml",
    ])
      expect(page).toContain(file);
    expect(page).toContain("AGENTSOCKET_DRAIN_MS");
  });
});
