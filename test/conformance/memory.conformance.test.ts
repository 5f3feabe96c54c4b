import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { backendConformanceSuite } from './backend-suite.js';

backendConformanceSuite('MemoryBackend', (options) => Promise.resolve(new MemoryBackend(options)));
