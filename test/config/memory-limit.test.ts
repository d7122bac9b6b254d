/**
 * The limit read from a real cgroup (v1 memory controller; root): a process in a limited group,
 * and one in an unlimited child of a limited group (where Node's own `constrainedMemory()` reads
 * "no limit"). Each probe is a fresh node process that joins the group before it starts.
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { joinGroup, makeGroup } from '../../bench/lib/cgroup.js'

const MODULE = fileURLToPath(new URL('../../src/config/memory-limit.ts', import.meta.url))
const MiB = 1024 * 1024

function probe(groupDir: string): { ours: number | null; node: number } {
  const script = `const m = await import(${JSON.stringify(MODULE)}); console.log(JSON.stringify({ ours: m.containerMemoryLimit() ?? null, node: process.constrainedMemory() }))`
  const out = execFileSync('/bin/sh', ['-c', joinGroup(groupDir), process.execPath, '--import=tsx', '--input-type=module', '-e', script], { encoding: 'utf8' })
  return JSON.parse(out)
}

t.test('a limited group, and an unlimited group inside it', async (t) => {
  const parent = makeGroup(`vellum-test-limit-${process.pid}`, 300)
  const child = makeGroup(`vellum-test-limit-${process.pid}/inner`)
  t.teardown(() => {
    child.remove()
    parent.remove()
  })
  t.equal(probe(parent.dir).ours, 300 * MiB, 'the group’s own limit')
  const inner = probe(child.dir)
  t.equal(inner.ours, 300 * MiB, 'the parent’s limit applies to the child')
  t.ok(inner.node > 2 ** 60, `Node's constrainedMemory() alone misses it (${inner.node}): why memory-limit.ts reads the hierarchy`)
  const unlimited = makeGroup(`vellum-test-limit-${process.pid}-none`)
  t.teardown(() => unlimited.remove())
  t.equal(probe(unlimited.dir).ours, null, 'no limit: none found')
})
