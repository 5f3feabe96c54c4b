// Moved to src/history/ (the client's describeWorkflowInstance uses it too); kept here for the tester's imports.
export { pendingWork, type PendingWork } from '../history/pending-work.js';
