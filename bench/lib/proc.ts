/** Resident memory of a process and all its descendants, from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs'

function children(pid: number): number[] {
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

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** Bytes of RSS: the process alone and the whole tree (render workers included). */
export function treeRss(pid: number): { main: number; tree: number } {
  const main = rssOf(pid)
  let tree = main
  const stack = children(pid)
  while (stack.length) {
    const p = stack.pop()!
    tree += rssOf(p)
    stack.push(...children(p))
  }
  return { main, tree }
}

export const MiB = (bytes: number) => bytes / (1024 * 1024)
