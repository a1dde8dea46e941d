import { describe, expect, it } from "vitest";
import { planCapacity, predictPhase, type MeasuredCosts } from "./scaling-model.ts";

const costs: MeasuredCosts = {
  bytesPerConnection: 10_000,
  instanceBaseBytes: 2 ** 30, // 1 GiB, so 1 GiB is left for connections
  cpuPerToken: 50,
  cpuPerDelivery: 10,
  redisCpuPerFrame: 20,
  redisCommandsPerFrame: 7,
  redisBytesPerFrame: 200,
};

describe("scaling model", () => {
  it("sizes instances by the larger of CPU and memory, Redis shards by CPU and memory", () => {
    const plan = planCapacity(costs, { connections: 1_000_000, tokensPerSecond: 100_000 });
    expect(plan.tokenCores).toBe(5); // 100,000 × 50 µs
    expect(plan.heartbeatCores).toBeCloseTo(1e6 / 30 / 1e5, 10); // a ping per 30 s × 10 µs
    expect(plan.instancesForCpu).toBe(11); // 5.33 cores at 50 % each
    expect(plan.connectionsPerInstance).toBe(107_374); // 1 GiB ÷ 10 kB
    expect(plan.instancesForMemory).toBe(10);
    expect(plan.instances).toBe(11);
    expect(plan.redisCommandsPerSecond).toBe(700_000);
    expect(plan.redisCores).toBe(2); // 100,000 frames × 20 µs
    expect(plan.shardsForCpu).toBe(4);
    expect(plan.redisBytesRetained).toBe(100_000 * 330 * 200);
    expect(plan.shardsForMemory).toBe(1);
    expect(plan.shards).toBe(4);
  });

  it("applies the budgets and the frames a coalescing channel saves", () => {
    const plan = planCapacity(costs, {
      connections: 1_000_000,
      tokensPerSecond: 100_000,
      framesPerToken: 0.25,
      pingIntervalSeconds: 0,
      instanceCpuBudget: 1,
      redisCpuBudget: 1,
      instanceMemoryBudget: 2 ** 31,
    });
    expect(plan.heartbeatCores).toBe(0);
    expect(plan.instancesForCpu).toBe(5);
    expect(plan.instancesForMemory).toBe(10);
    expect(plan.framesPerSecond).toBe(25_000);
    expect(plan.shardsForCpu).toBe(1);
  });

  it("predicts N instances as the one instance's load × N at the same cost per token", () => {
    const one = {
      instances: 1,
      tokensPerSecond: 2400,
      framesPerSecond: 2000,
      cpuPerToken: 80,
      instanceCores: 0.192,
      redisCommandsPerSecond: 16_800,
      redisCores: 0.05,
    };
    expect(predictPhase(one, 3)).toEqual({
      instances: 3,
      tokensPerSecond: 7200,
      framesPerSecond: 6000,
      cpuPerToken: 80,
      instanceCores: expect.closeTo(0.576, 10),
      redisCommandsPerSecond: 50_400,
      redisCores: expect.closeTo(0.15, 10),
    });
  });
});
