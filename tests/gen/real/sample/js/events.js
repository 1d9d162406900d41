// A tiny event bus and a rate limiter: the files ESLint lints, Prettier formats and Rollup bundles.
export class EventBus {
  constructor() { this.handlers = new Map() }
  on(name, fn) {
    if (!this.handlers.has(name)) this.handlers.set(name, [])
    this.handlers.get(name).push(fn); return () => this.off(name, fn)
  }
  off(name, fn) { const list = this.handlers.get(name) || []; const i = list.indexOf(fn); if (i >= 0) list.splice(i, 1) }
  emit(name, ...args) { for (const fn of this.handlers.get(name) || []) fn(...args) }
}
