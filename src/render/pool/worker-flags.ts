/**
 * The Node flags a render worker started from source inherits. Module hooks other than tsx's stay
 * behind: a test runner's (tap's process-info and mock loaders) slowed every worker's boot and
 * trapped its SIGTERM, and a worker needs none of them. A hook is written `--import=x` or
 * `--import x` (as `node --import tsx …` does), `-r x`; its value goes with it.
 */
const HOOK = /^(--import|--loader|--experimental-loader|--require|-r)$/

/**
 * `args` (execArgv, or NODE_OPTIONS split on spaces) without hooks that do not load tsx, nor
 * --inspect; `keepTsx: false` drops tsx's too (a worker running the bundle needs no loader).
 */
export function withoutForeignHooks(args: readonly string[], { keepTsx = true } = {}): string[] {
  const kept: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg.startsWith('--inspect')) continue
    const eq = arg.indexOf('=')
    const flag = eq === -1 ? arg : arg.slice(0, eq)
    if (!HOOK.test(flag)) {
      kept.push(arg)
      continue
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1)
    if (keepTsx && value?.includes('tsx')) kept.push(...(eq === -1 ? [arg, value] : [arg]))
  }
  return kept
}
