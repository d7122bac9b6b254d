/**
 * The memory limit this process lives under: the container's cgroup limit, read at boot so the
 * default configuration fits whatever `docker run -m`, Kubernetes or systemd gives it.
 *
 * Node's `process.constrainedMemory()` (libuv) reads the process's own cgroup file (v2
 * `memory.max`, v1 `memory.limit_in_bytes`) but not its ancestors': a process in a child group
 * of a limited group (a systemd slice, a Kubernetes pod, a group made under a container's) reads
 * "no limit". The effective limit is the smallest on the way to the root, which cgroup v1 sums up
 * as `hierarchical_memory_limit` and v2 leaves to the reader.
 */
import { readFileSync } from 'node:fs'

/** Above this a "limit" is the kernel's way of writing none (v1 writes 2^63 rounded to a page). */
const NO_LIMIT = 2 ** 60

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

function bytes(text: string | undefined): number | undefined {
  const t = text?.trim()
  if (!t || t === 'max') return undefined
  const n = Number(t)
  return Number.isFinite(n) && n > 0 && n < NO_LIMIT ? n : undefined
}

/** `/proc/self/cgroup` lines: `4:memory:/a/b` (v1) and `0::/a/b` (v2). */
function groups(): { v1?: string; v2?: string } {
  const out: { v1?: string; v2?: string } = {}
  for (const line of (read('/proc/self/cgroup') ?? '').split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? []
    if (path === undefined) continue
    if (controllers === '') out.v2 = path
    else if (controllers!.split(',').includes('memory')) out.v1 = path
  }
  return out
}

function v1Limit(path: string, root = '/sys/fs/cgroup/memory'): number | undefined {
  // Inside a container the group's path is often "/" in the namespace while /proc shows the host's.
  for (const dir of [`${root}${path}`, root]) {
    const stat = read(`${dir}/memory.stat`)
    const hierarchical = stat && /^hierarchical_memory_limit (\d+)$/m.exec(stat)?.[1]
    const limit = bytes(hierarchical || undefined) ?? bytes(read(`${dir}/memory.limit_in_bytes`))
    if (stat !== undefined || limit !== undefined) return limit
  }
  return undefined
}

function v2Limit(path: string, root = '/sys/fs/cgroup'): number | undefined {
  let smallest: number | undefined
  const parts = path.split('/').filter(Boolean)
  for (let depth = parts.length; depth >= 0; depth--) {
    const limit = bytes(read(`${root}/${parts.slice(0, depth).join('/')}/memory.max`.replace('//', '/')))
    if (limit !== undefined) smallest = Math.min(smallest ?? limit, limit)
  }
  return smallest
}

/** The memory limit in bytes, or undefined when the process has none. */
export function containerMemoryLimit(): number | undefined {
  const candidates: number[] = []
  const own = bytes(String((process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? ''))
  if (own !== undefined) candidates.push(own)
  const { v1, v2 } = groups()
  const fromV1 = v1 !== undefined ? v1Limit(v1) : undefined
  const fromV2 = v2 !== undefined && v1 === undefined ? v2Limit(v2) : undefined
  for (const l of [fromV1, fromV2]) if (l !== undefined) candidates.push(l)
  return candidates.length ? Math.min(...candidates) : undefined
}
