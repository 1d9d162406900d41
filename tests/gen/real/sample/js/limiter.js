export function createLimiter(perSecond, now = () => Date.now()) {
  let tokens = perSecond, last = now()
  return function allow() {
    const t = now(); tokens = Math.min(perSecond, tokens + (t - last) / 1000 * perSecond); last = t
    if (tokens < 1) return false
    tokens -= 1; return true
  }
}
export const unused = 42
