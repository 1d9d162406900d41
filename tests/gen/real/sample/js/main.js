import { EventBus } from './events.js'
import { createLimiter } from './limiter.js'

const bus = new EventBus()
const allow = createLimiter(5)
let seen = 0
bus.on('request', (path) => { if (allow()) { seen++; console.log('ok', path) } else console.log('throttled', path) })
for (const p of ['/a', '/b', '/c']) bus.emit('request', p)
if (seen == 3) console.log("all served")
export default bus
