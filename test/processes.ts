/** Reading other processes from /proc, for tests that must know what a worker is doing. */
import { readFileSync, readdirSync } from 'node:fs'

/** Render worker processes that are children of this process. */
export function renderWorkerPids(): number[] {
  const children = readdirSync('/proc/self/task').flatMap((task) =>
    readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean),
  )
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('render-worker')
    } catch {
      return false
    }
  }).map(Number)
}

/** Whether a process exists and has not exited (a zombie waiting to be reaped has). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** CPU time a process has used, in clock ticks (utime + stime from /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return 0
  }
}

/** Resolves once every one of `pids` is burning CPU (rendering, not booting or waiting). */
export async function allBusy(pids: number[], timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const before = pids.map(cpuTicks)
    await new Promise((r) => setTimeout(r, 300))
    // 15 ticks = 150 ms of CPU in 300 ms: each is working, whatever else the machine does.
    if (pids.map(cpuTicks).every((after, i) => after - before[i]! >= 15)) return true
  }
  return false
}

/**
 * Resolves once there are `count` of `pids()` and every one is quiet (done booting and warming
 * up: a worker that is still starting takes a task but runs it only after its warm-up).
 */
export async function allQuiet(pids: () => number[], count: number, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const now = pids()
    if (now.length === count) {
      const before = now.map(cpuTicks)
      await new Promise((r) => setTimeout(r, 300))
      if (now.map(cpuTicks).every((after, i) => after - before[i]! <= 3)) return true
    } else await new Promise((r) => setTimeout(r, 100))
  }
  return false
}
