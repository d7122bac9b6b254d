/**
 * Resident memory of a process and all its descendants, from /proc (Linux). RSS counts pages
 * shared between processes (the node binary, libvips…) once per process; PSS splits them, so
 * the tree's PSS is close to what a container's memory limit charges.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'

/**
 * Direct children, from each thread's `children` list (cheap: the sampler runs every 100 ms
 * during load, and scanning all of /proc there would cost the load generator CPU the server
 * could use). Kernels without that file get the full /proc scan.
 */
function children(pid: number): number[] {
  try {
    const out: number[] = []
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim()) out.push(Number(c))
    }
    return out
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(`/proc/${pid}`)) return []
    return scanChildren(pid)
  }
}

function scanChildren(pid: number): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) out.push(Number(entry))
    } catch {
      // the process ended while we looked
    }
  }
  return out
}

function memoryOf(pid: number): { rss: number; pss: number } {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) * 1024
    return { rss: kb('Rss'), pss: kb('Pss') }
  } catch {
    return { rss: 0, pss: 0 } // the process ended while we looked
  }
}

/** Bytes of RSS of the process alone and of the whole tree (render workers included), and the tree's PSS. */
export function treeRss(pid: number): { main: number; tree: number; treePss: number } {
  const first = memoryOf(pid)
  let tree = first.rss
  let treePss = first.pss
  const stack = children(pid)
  while (stack.length) {
    const p = stack.pop()!
    const m = memoryOf(p)
    tree += m.rss
    treePss += m.pss
    stack.push(...children(p))
  }
  return { main: first.rss, tree, treePss }
}

export const MiB = (bytes: number) => bytes / (1024 * 1024)
