/**
 * Reads the environment once at boot and fails with every problem at once, each naming the
 * variable, so an operator fixes a bad deployment in one round.
 */
import { availableParallelism } from 'node:os'
import { envSchema, toConfig, type Config } from './schema.js'
import { containerMemoryLimit } from './memory-limit.js'

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** Empty strings count as unset, as shells and compose files often export `VAR=`. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v
  return out
}

/**
 * `memoryLimit` finds the limit the process lives under (the cgroup's, by default); tools and
 * tests that build a config from given variables alone pass one that finds none.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<string, string>> = {},
  memoryLimit: () => number | undefined = containerMemoryLimit,
): Config {
  const parsed = envSchema.safeParse({ ...withoutEmpty(env), ...withoutEmpty(overrides) })
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    )
  }
  const d = parsed.data
  if ((d.STORAGE_ACCESS_KEY_ID === undefined) !== (d.STORAGE_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError(['STORAGE_ACCESS_KEY_ID and STORAGE_SECRET_ACCESS_KEY: set both, or neither (the SDK then finds credentials itself)'])
  }
  return toConfig(parsed.data, { cgroupBytes: memoryLimit(), cores: availableParallelism() })
}

/** A config for tests and tools: defaults plus the given variables, ignoring the process environment. */
export function configFrom(vars: Record<string, string | number | boolean> = {}): Config {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(vars)) env[k] = String(v)
  return loadConfig({}, env, () => undefined)
}
