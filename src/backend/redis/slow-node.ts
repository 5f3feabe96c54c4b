/**
 * How long the work of several partitions waits for the slowest of them, on a Redis Cluster where each partition
 * is a slot another node may serve: past this, a node that is slow or does not answer (frozen, overloaded, dying
 * before its failover) is left behind (ms). Task polls (`PartitionReads`) and outbox relays (`DeliveryLanes`)
 * use it; the work left behind finishes on its own.
 */
export const SLOW_NODE_CUTOFF_MS = 250;
