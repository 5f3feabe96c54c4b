import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { e2eSuite } from './e2e-suite.js';

e2eSuite('MemoryBackend', () => Promise.resolve(new MemoryBackend()));
