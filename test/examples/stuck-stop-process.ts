import { stopOnSignals } from '../../examples/order/shutdown.js';

// A process whose stop never finishes, to show that a later second signal ends it anyway.
stopOnSignals(() => new Promise<void>(() => undefined));
setInterval(() => undefined, 60_000);
console.log('ready');
