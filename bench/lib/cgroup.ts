/**
 * Real memory cgroups (v1, root only) for the container bench and the container tests: a group
 * with a limit, what the kernel recorded in it, and its removal once its processes are gone.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const CGROUP_ROOT = '/sys/fs/cgroup/memory'

export interface Group {
  dir: string
  read(file: string): string
  /** Removes the group once its last process has exited (waits up to 5 s). */
  remove(): void
}

/** A fresh v1 memory group with `limitMb`; throws with the reason when the controller is not writable. */
export function makeGroup(name: string, limitMb?: number): Group {
  const dir = join(CGROUP_ROOT, name)
  if (!existsSync(CGROUP_ROOT)) throw new Error(`no cgroup v1 memory controller at ${CGROUP_ROOT}`)
  mkdirSync(dir, { recursive: true })
  if (limitMb !== undefined) {
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitMb * 1024 * 1024))
    // With swap, the limit alone would page out instead of OOM-killing: limit memory + swap too.
    try {
      writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limitMb * 1024 * 1024))
    } catch {
      // no swap accounting on this kernel
    }
  }
  return {
    dir,
    read: (file) => readFileSync(join(dir, file), 'utf8'),
    remove: () => {
      for (let i = 0; i < 50; i++) {
        try {
          rmdirSync(dir)
          return
        } catch {
          execFileSync('sleep', ['0.1'])
        }
      }
    },
  }
}

/** Processes the kernel's OOM killer ended in the group (v1 `memory.oom_control`). */
export function oomKills(oomControl: string): number {
  return Number(/^oom_kill (\d+)$/m.exec(oomControl)?.[1] ?? 0)
}

/** A shell command prefix that moves the shell into the group, then execs the rest (`$0 $@`). */
export function joinGroup(dir: string): string {
  return `echo $$ > ${join(dir, 'cgroup.procs')} && exec "$0" "$@"`
}
